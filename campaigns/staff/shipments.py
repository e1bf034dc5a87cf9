"""Staff's side of shipped prizes: the claims list, the shipping CSV export and the tracking CSV import.

Every export is audit-logged (it carries addresses). The import is all or nothing: any bad
line (an unknown prize, a prize with no address yet, a missing carrier, a malformed
tracking number, a prize listed twice) is reported by its line number and nothing changes.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..catalog.messages import msg
from ..catalog.models import Campaign, PrizeTier
from ..coupons.addresses import Address
from ..coupons.models import Claim, CouponCode, Shipment
from ..coupons.shipping import Shipping
from ..crypto import SecretBox
from ..errors import InvalidInput
from . import audit
from .models import Staff

MAX_BYTES = 2 * 1024 * 1024
MAX_REPORTED = 200
TRACKING = re.compile(r"^[A-Za-z0-9-]{4,40}$")
EXPORT_COLUMNS = (
    "code",
    "prize",
    "status",
    "recipient",
    "phone",
    "province",
    "city",
    "district",
    "detail",
    "postal_code",
    "carrier",
    "tracking_number",
)


@dataclass
class TrackingReport:
    """What a tracking import did: lines read, prizes marked shipped, and each refused line."""

    lines: int = 0
    shipped: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """The report for JSON and templates; the errors are cut at ``MAX_REPORTED``."""
        return {
            "lines": self.lines,
            "shipped": self.shipped,
            "error_count": len(self.errors),
            "errors": [{"line": n, "message": m} for n, m in self.errors[:MAX_REPORTED]],
        }


def claims(session: Session, secrets: SecretBox, campaign: Campaign) -> list[dict[str, Any]]:
    """Every won shipped prize of ``campaign``, oldest first, with its address (decrypted) and shipment."""
    rows = session.execute(
        select(CouponCode, PrizeTier, Shipment, Claim.status)
        .join(PrizeTier, CouponCode.tier_id == PrizeTier.id)
        .outerjoin(Shipment, Shipment.coupon_id == CouponCode.id)
        .outerjoin(Claim, Claim.coupon_id == CouponCode.id)
        .where(
            PrizeTier.campaign_id == campaign.id,
            PrizeTier.coupon_kind == Shipping.kind,
            CouponCode.state != "available",
        )
        .order_by(CouponCode.draw_seq, CouponCode.id)
    )
    out = []
    for coupon, tier, shipment, checked in rows:
        address = (
            Address.from_json(secrets.open(shipment.address_sealed)) if shipment and shipment.address_sealed else None
        )
        out.append(
            {
                "code": coupon.code,
                "prize": tier.name,
                "seq": coupon.draw_seq,
                "status": shipment.status if shipment else "address_needed",
                "address": address,
                "carrier": shipment.carrier if shipment else "",
                "tracking_number": shipment.tracking_number if shipment else "",
                "erased": bool(shipment and shipment.erased_at),
                # The fraud checks' decision: only approved claims are shipped.
                "check": checked or "",
            }
        )
    return out


def export_csv(session: Session, secrets: SecretBox, staff: Staff, campaign: Campaign, now: datetime) -> str:
    """The shipping CSV of ``campaign`` (one row per won prize), recorded in the audit log."""
    rows = claims(session, secrets, campaign)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(EXPORT_COLUMNS)
    for row in rows:
        a = row["address"] if row["check"] == "approved" else None
        place = [a.recipient, a.phone, a.province, a.city, a.district, a.detail, a.postal_code] if a else [""] * 7
        writer.writerow([row["code"], row["prize"], row["status"], *place, row["carrier"], row["tracking_number"]])
    audit.record(
        session,
        staff,
        "shipping.export",
        now,
        account_id=campaign.account_id,
        campaign_id=campaign.id,
        after={"rows": len(rows), "with_address": sum(1 for r in rows if r["address"])},
    )
    session.commit()
    # A spreadsheet opens UTF-8 Chinese text correctly only with the byte-order mark.
    return "\ufeff" + out.getvalue()


def _decode(data: bytes) -> list[list[str]]:
    if len(data) > MAX_BYTES:
        raise InvalidInput(msg("The file is too large."), fields={"file": msg("Upload at most 2 MB at a time.")})
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput(msg("The file is not UTF-8 text."), fields={"file": msg("Save the CSV as UTF-8.")}) from None
    if "\x00" in text:
        raise InvalidInput(msg("The file is not UTF-8 text."), fields={"file": msg("Save the CSV as UTF-8.")})
    return list(csv.reader(io.StringIO(text)))


def _line_problem(row: list[str], shipments: dict[str, Shipment | None], seen: set[str]) -> str | None:
    code, carrier, number = (cell.strip() for cell in (row + ["", "", ""])[:3])
    if code not in shipments:
        return msg("No shipped prize of this campaign has the code {code}.", code=code[:64])
    if code in seen:
        return msg("The code {code} is listed twice.", code=code)
    if shipments[code] is None or not shipments[code].address_sealed:
        return msg("The winner of {code} has not given an address yet, or the claim is not approved.", code=code)
    if not 1 <= len(carrier) <= 32:
        return msg("Name the carrier (at most 32 characters).")
    if not TRACKING.match(number):
        return msg("A tracking number is 4 to 40 letters, digits or '-'.")
    return None


def import_tracking(session: Session, staff: Staff, campaign: Campaign, data: bytes, now: datetime) -> TrackingReport:
    """Mark prizes shipped from a CSV of ``code,carrier,tracking_number``, all lines or none. Commits when clean."""
    rows = _decode(data)
    known = {
        code: (shipment if checked == "approved" else None)
        for code, shipment, checked in session.execute(
            select(CouponCode.code, Shipment, Claim.status)
            .join(PrizeTier, CouponCode.tier_id == PrizeTier.id)
            .outerjoin(Shipment, Shipment.coupon_id == CouponCode.id)
            .outerjoin(Claim, Claim.coupon_id == CouponCode.id)
            .where(PrizeTier.campaign_id == campaign.id, PrizeTier.coupon_kind == Shipping.kind)
            .where(CouponCode.state != "available")
        )
    }
    report, seen, updates = TrackingReport(), set(), []
    for number, row in enumerate(rows, start=1):
        if not any(cell.strip() for cell in row) or (number == 1 and row[0].strip().lower() == "code"):
            continue
        report.lines += 1
        problem = _line_problem(row, known, seen)
        if problem:
            report.errors.append((number, problem))
            continue
        seen.add(row[0].strip())
        updates.append((known[row[0].strip()], row[1].strip(), row[2].strip()))
    if report.errors or not updates:
        return report
    for shipment, carrier, tracking in updates:
        shipment.status, shipment.carrier, shipment.tracking_number = "shipped", carrier, tracking
        shipment.shipped_at = shipment.shipped_at or now
        shipment.updated_at = now
    audit.record(
        session,
        staff,
        "shipping.import",
        now,
        account_id=campaign.account_id,
        campaign_id=campaign.id,
        after={"shipped": len(updates), "codes": [s.coupon.code for s, _, _ in updates][:MAX_REPORTED]},
    )
    session.commit()
    report.shipped = len(updates)
    return report
