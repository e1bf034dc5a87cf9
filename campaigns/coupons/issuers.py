"""The one interface every coupon issuer implements, and the registry of kinds.

A prize tier's ``coupon_kind`` names its issuer. The draw engine takes a code from
the tier's Redis pool atomically with the award; an issuer owns the rest of the
coupon's life: stocking the pool, what the prize page shows, redemption on the
issuer's own platform, looking the code up there, and expiry. Adding an issuer
(e.g. WeChat Pay merchant coupons, see docs/coupons.md) is one module that
implements :class:`Issuer` and one line in :data:`ISSUERS`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from ..catalog.models import PrizeTier
from ..context import Context
from ..errors import InvalidInput
from .models import CouponCode


class Issuer(Protocol):
    """A kind of coupon: where codes come from, how they reach the follower, how they are used."""

    kind: str
    label: str
    # Shown next to the choice in the console (e.g. that a WeChat feature is needed).
    note: str

    def stock(self, ctx: Context, tier: PrizeTier, codes: Sequence[str]) -> list[str]:
        """Prepare ``codes`` for the tier's pool on the issuer's side; return the codes that may be awarded."""

    def deliver(self, ctx: Context, coupon: CouponCode) -> dict[str, Any]:
        """What the prize page needs to hand the coupon to the follower."""

    def redeem(self, ctx: Context, coupon: CouponCode) -> None:
        """Mark the coupon used on the issuer's platform; raise AlreadyRedeemed if it already was."""

    def lookup(self, ctx: Context, coupon: CouponCode) -> dict[str, Any]:
        """The issuer's own view of the coupon (remote state), for staff and reconciliation."""

    def expire(self, ctx: Context, coupon: CouponCode) -> None:
        """Withdraw an expired coupon on the issuer's platform."""


ISSUERS: dict[str, Issuer] = {}


def register(issuer: Issuer) -> Issuer:
    """Add ``issuer`` to the registry under its kind."""
    ISSUERS[issuer.kind] = issuer
    return issuer


def issuer_for(kind: str) -> Issuer:
    """The issuer of a tier's ``coupon_kind``."""
    _load()
    try:
        return ISSUERS[kind]
    except KeyError:
        raise InvalidInput(f"Prizes of kind {kind!r} carry no coupon.") from None


def choices() -> list[dict[str, str]]:
    """The coupon kinds a marketer can choose, with their labels and notes, for the console."""
    _load()
    return [{"kind": i.kind, "label": i.label, "note": i.note} for i in ISSUERS.values()]


def _load() -> None:
    # The issuer modules register themselves on import; importing here avoids a cycle.
    from . import platform_codes, wechat_cards  # noqa: F401
