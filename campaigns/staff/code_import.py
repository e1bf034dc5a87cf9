"""Uploading a prize tier's coupon codes from CSV, with a line-numbered report of every refused line.

Nothing is imported from a file with errors unless the marketer asks to skip the bad
lines; the accepted codes go through the coupon issuers (``coupons.services.add_codes``),
which also fills the Redis pool of a published campaign.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select

from ..catalog.messages import msg
from ..catalog.models import PrizeTier
from ..context import Context
from ..coupons.models import CouponCode
from ..coupons.platform_codes import UPLOADED_CODE
from ..coupons.services import add_codes
from ..errors import Conflict, InvalidInput
from . import audit
from .models import Staff

MAX_BYTES = 5 * 1024 * 1024
MAX_LINES = 200_000
MAX_REPORTED = 200
# Rows compared with the database per query, well under every database's parameter limit.
CHUNK = 500


@dataclass
class ImportReport:
    """What happened to an upload: lines read, codes accepted, and each refused line with its reason."""

    lines: int = 0
    accepted: list[str] = field(default_factory=list)
    line_of: dict[str, int] = field(default_factory=dict)
    errors: list[tuple[int, str]] = field(default_factory=list)
    imported: int = 0

    def as_dict(self) -> dict:
        """The report for JSON and templates; the list of errors is cut at ``MAX_REPORTED``."""
        return {
            "lines": self.lines,
            "valid": len(self.accepted),
            "imported": self.imported,
            "error_count": len(self.errors),
            "errors": [{"line": n, "message": m} for n, m in self.errors[:MAX_REPORTED]],
        }


def _decode(data: bytes) -> str:
    if len(data) > MAX_BYTES:
        raise InvalidInput(
            msg("The file is too large."), fields={"file": msg("Upload at most 5 MB of codes at a time.")}
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput(
            msg("The file is not text."), fields={"file": msg("Save the file as CSV (UTF-8).")}
        ) from None


def read_codes(data: bytes) -> ImportReport:
    """Check every line of an upload (first column: the code; an optional ``code`` header)."""
    report = ImportReport()
    first_seen = report.line_of
    rows = csv.reader(io.StringIO(_decode(data), newline=""))
    try:
        for number, row in enumerate(rows, start=1):
            if number > MAX_LINES:
                raise InvalidInput(
                    msg("Too many lines."),
                    fields={"file": msg("Upload at most {count} codes at a time.", count=MAX_LINES)},
                )
            report.lines = number
            value = row[0].strip() if row else ""
            if number == 1 and value.lower() == "code":
                continue
            if not value:
                report.errors.append((number, msg("The line is blank.")))
            elif not UPLOADED_CODE.match(value):
                report.errors.append((number, msg("A code is 6 to 64 letters, digits, '-' or '_'.")))
            elif value in first_seen:
                report.errors.append((number, msg("Duplicate of line {line}.", line=first_seen[value])))
            else:
                first_seen[value] = number
                report.accepted.append(value)
    except csv.Error as exc:
        raise InvalidInput(msg("The file is not valid CSV."), fields={"file": str(exc)}) from None
    return report


def _refuse_known(ctx: Context, report: ImportReport) -> None:
    known: set[str] = set()
    for start in range(0, len(report.accepted), CHUNK):
        chunk = report.accepted[start : start + CHUNK]
        known.update(ctx.session.scalars(select(CouponCode.code).where(CouponCode.code.in_(chunk))))
    report.errors.extend(
        (report.line_of[code], msg("This code is already used (in this or another campaign).")) for code in known
    )
    report.errors.sort()
    report.accepted = [code for code in report.accepted if code not in known]


def import_codes(
    ctx: Context, staff: Staff, tier: PrizeTier, data: bytes, *, skip_errors: bool, now: datetime
) -> ImportReport:
    """Check an upload and, when it is clean (or the marketer skips bad lines), add its codes to ``tier``."""
    if tier.coupon_kind not in ("code", "wechat_card"):
        raise InvalidInput(
            msg("This prize carries no coupon."), fields={"tier": msg("Choose a prize whose coupon is codes.")}
        )
    if tier.campaign.status == "ended":
        raise Conflict(msg("This campaign has ended; no more codes can be added."))
    report = read_codes(data)
    _refuse_known(ctx, report)
    if (report.errors and not skip_errors) or not report.accepted:
        return report
    audit.record(
        ctx.session,
        staff,
        "codes.import",
        now,
        account_id=tier.campaign.account_id,
        campaign_id=tier.campaign_id,
        after={"tier": tier.tier, "codes": len(report.accepted), "skipped_lines": len(report.errors)},
    )
    report.imported = len(add_codes(ctx, tier, report.accepted))
    return report
