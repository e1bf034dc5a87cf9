"""The fraud checks at the claim, where fraud pays (羊毛党 are caught here, not at the play).

When a winner claims a cash or shipped prize (taps 领取, or gives the address) the claim is
checked once, before any payout or shipment, and the decision is audit-logged:

1. an openid on the account's blacklist is refused;
2. a client address that has already claimed ``CLAIM_ADDRESS_DAILY_CAP`` prizes today (the
   campaign's day) is refused;
3. a prize worth more than the campaign's ``review_above`` waits in the review queue, where
   staff approve it (the claim goes on) or reject it (``staff/review.py``).
"""

from __future__ import annotations

import csv
import io
from datetime import UTC
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..catalog.messages import msg
from ..catalog.models import OfficialAccount
from ..context import Context
from ..errors import CouponRefused, InvalidInput
from ..keys import claim_address_day
from ..staff import audit
from .models import BlockedOpenid, Claim, CouponCode

ADDRESS_DAILY_CAP = 20
OPENID_TEXT = 64
MAX_BLACKLIST_LINES = 100_000


def claim_of(session: Session, coupon: CouponCode) -> Claim | None:
    """The decision on a won prize's claim, if it was claimed."""
    return session.scalar(select(Claim).where(Claim.coupon_id == coupon.id))


def is_blocked(session: Session, account_id: int, openid: str) -> bool:
    """Whether ``openid`` is on the account's blacklist."""
    found = select(BlockedOpenid.id).where(BlockedOpenid.account_id == account_id, BlockedOpenid.openid == openid)
    return session.scalar(found) is not None


def _day(ctx: Context, timezone: str) -> str:
    return ctx.clock.now().astimezone(UTC).astimezone(ZoneInfo(timezone)).date().isoformat()


def _over_cap(ctx: Context, coupon: CouponCode, address: str) -> bool:
    cap = int(ctx.settings.get("CLAIM_ADDRESS_DAILY_CAP", ADDRESS_DAILY_CAP))
    if cap <= 0:
        return False
    key = claim_address_day(_day(ctx, coupon.tier.campaign.timezone), address)
    count = ctx.redis.incr(key)
    if count == 1:
        ctx.redis.expire(key, 2 * 86400)
    return count > cap


def _decide(ctx: Context, coupon: CouponCode, address: str) -> tuple[str, str]:
    campaign = coupon.tier.campaign
    if is_blocked(ctx.session, campaign.account_id, coupon.openid or ""):
        return "refused", "blacklisted"
    if _over_cap(ctx, coupon, address):
        return "refused", "address_cap"
    if campaign.review_above_minor is not None and (coupon.tier.value_minor or 0) > campaign.review_above_minor:
        return "held", "review"
    return "approved", ""


def screen(ctx: Context, coupon: CouponCode, client_address: str) -> Claim:
    """Check a claim once and record the decision (audit-logged); later calls return the first. Commits."""
    existing = claim_of(ctx.session, coupon)
    if existing is not None:
        return existing
    address = (client_address or "unknown")[:45]
    status, reason = _decide(ctx, coupon, address)
    now = ctx.clock.now()
    claim = Claim(
        coupon_id=coupon.id,
        campaign_id=coupon.tier.campaign_id,
        openid=coupon.openid or "",
        client_address=address,
        status=status,
        reason=reason,
        created_at=now,
    )
    ctx.session.add(claim)
    audit.record(
        ctx.session,
        None,
        f"claim.{status}",
        now,
        account_id=coupon.tier.campaign.account_id,
        campaign_id=coupon.tier.campaign_id,
        after={"code": coupon.code, "openid": claim.openid, "address": address, "reason": reason},
    )
    ctx.session.commit()
    return claim


def require_claimable(claim: Claim) -> None:
    """Refuse a claim the checks stopped (in the follower's words, without saying which check)."""
    if claim.status in ("refused", "void"):
        raise CouponRefused(msg("This prize cannot be claimed. Please contact the shop."))


def parse_blacklist(data: bytes) -> tuple[list[tuple[str, str]], list[tuple[int, str]]]:
    """``openid[,reason]`` lines of a CSV: the entries, and each bad line by its number."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput(msg("The file is not UTF-8 text."), fields={"file": msg("Save the CSV as UTF-8.")}) from None
    entries, errors = [], []
    for number, row in enumerate(csv.reader(io.StringIO(text)), start=1):
        if number > MAX_BLACKLIST_LINES:
            errors.append((number, msg("Upload at most {count} lines at a time.", count=MAX_BLACKLIST_LINES)))
            break
        openid = (row[0] if row else "").strip()
        if not openid or (number == 1 and openid.lower() == "openid"):
            continue
        if len(openid) > OPENID_TEXT or not openid.replace("-", "").replace("_", "").isalnum():
            errors.append((number, msg("An openid is up to 64 letters, digits, '-' or '_'.")))
            continue
        entries.append((openid, (row[1].strip() if len(row) > 1 else "")[:120]))
    return entries, errors


def block(session: Session, staff: Any, account: OfficialAccount, entries: list[tuple[str, str]], now) -> int:
    """Add openids to the account's blacklist (audit-logged); return how many were new. Does not commit."""
    known = set(session.scalars(select(BlockedOpenid.openid).where(BlockedOpenid.account_id == account.id)))
    new = [(openid, reason) for openid, reason in dict(entries).items() if openid not in known]
    session.add_all(BlockedOpenid(account_id=account.id, openid=o, reason=r, created_at=now) for o, r in new)
    audit.record(session, staff, "blacklist.add", now, account_id=account.id,
                 after={"openids": [o for o, _ in new][:200], "count": len(new)})  # fmt: skip
    return len(new)


def unblock(session: Session, staff: Any, account: OfficialAccount, openid: str, now) -> None:
    """Take an openid off the account's blacklist (audit-logged). Does not commit."""
    entry = session.scalar(
        select(BlockedOpenid).where(BlockedOpenid.account_id == account.id, BlockedOpenid.openid == openid)
    )
    if entry is not None:
        session.delete(entry)
        audit.record(session, staff, "blacklist.remove", now, account_id=account.id, after={"openid": openid})
