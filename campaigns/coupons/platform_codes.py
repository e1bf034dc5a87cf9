"""Platform codes: the default issuer, which needs no WeChat feature at all.

Codes are generated here or uploaded by the marketer, shown on the prize page as
text and as a QR code that holds only the code, and redeemed once in a store.
"""

from __future__ import annotations

import math
import re
import secrets
from collections.abc import Iterable, Sequence
from typing import Any

from ..catalog.models import PrizeTier
from ..context import Context
from ..errors import InvalidInput
from .issuers import register
from .models import CouponCode

# Crockford's base32 without 0 and 1 as well, so that nothing reads as O, I or L.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
LENGTH = 13
ENTROPY_BITS = LENGTH * math.log2(len(ALPHABET))  # about 63.8 bits
UPLOADED_CODE = re.compile(r"^[A-Za-z0-9_-]{6,64}$")
MAX_BATCH = 100_000


def generate(count: int) -> list[str]:
    """``count`` new random codes, distinct from each other."""
    if not 0 < count <= MAX_BATCH:
        raise InvalidInput(f"Generate between 1 and {MAX_BATCH} codes at a time.", fields={"count": "out of range"})
    codes: set[str] = set()
    while len(codes) < count:
        codes.add("".join(secrets.choice(ALPHABET) for _ in range(LENGTH)))
    return sorted(codes)


def normalize(entered: str) -> str:
    """What staff typed, as it is stored: no spaces or dashes, generated codes upper-cased."""
    compact = re.sub(r"[\s\-]", "", entered or "")
    upper = compact.upper()
    # Only codes in the generated alphabet are case-insensitive; uploaded codes are kept as given.
    return upper if len(upper) == LENGTH and all(c in ALPHABET for c in upper) else compact


def parse_upload(text: str) -> list[str]:
    """The codes of an uploaded file: one per line (first CSV column), blank lines and a ``code`` header skipped."""
    codes: list[str] = []
    bad: list[str] = []
    for number, line in enumerate(text.splitlines()):
        value = line.split(",")[0].strip().strip('"')
        if not value or (number == 0 and value.lower() == "code"):
            continue
        (codes if UPLOADED_CODE.match(value) else bad).append(value)
    if bad:
        raise InvalidInput(
            f"{len(bad)} codes are not 6 to 64 letters, digits, '-' or '_' (first: {bad[0][:64]!r}).",
            fields={"codes": "invalid codes"},
        )
    if len(set(codes)) != len(codes):
        raise InvalidInput("The upload lists some codes twice.", fields={"codes": "duplicates"})
    return codes


class PlatformCodes:
    """Codes the platform generates or the marketer uploads; redeemed on the staff page only."""

    kind = "code"
    label = "Platform code"
    note = "Works for every account: a code and QR code on the prize page, redeemed on the staff page."

    def stock(self, ctx: Context, tier: PrizeTier, codes: Sequence[str]) -> list[str]:
        """Nothing to tell anyone: every code may be awarded."""
        return list(codes)

    def deliver(self, ctx: Context, coupon: CouponCode) -> dict[str, Any]:
        """The code as text and as a QR code on the prize page."""
        return {"kind": self.kind, "code": coupon.code, "display": group(coupon.code), "card_id": None}

    def redeem(self, ctx: Context, coupon: CouponCode) -> None:
        """The platform's own record is the only one: nothing more to do."""

    def lookup(self, ctx: Context, coupon: CouponCode) -> dict[str, Any]:
        """The platform's record is the remote state too."""
        return {"state": coupon.state}

    def expire(self, ctx: Context, coupon: CouponCode) -> None:
        """Nothing to withdraw elsewhere."""


def group(code: str, size: int = 4) -> str:
    """A code in groups for reading aloud: ``K7QX 9MZP …``."""
    return " ".join(code[i : i + size] for i in range(0, len(code), size))


def chunks(items: Iterable[str], size: int) -> Iterable[list[str]]:
    """``items`` in lists of at most ``size``."""
    batch: list[str] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


register(PlatformCodes())
