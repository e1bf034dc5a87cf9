"""The manual review queue: staff approve a held claim (it goes on) or reject it.

Rejecting voids the prize and returns its stock as a new rules version (a top-up of one,
``lifecycle.top_up``), so the ledger still verifies against the rules that governed each
draw; an ended campaign's stock is not returned. Every decision is audit-logged.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..catalog.messages import msg
from ..catalog.models import Campaign
from ..catalog.status import ALLOWED_FROM
from ..clock import Clock
from ..coupons.models import Claim
from ..crypto import SecretBox
from ..errors import Conflict, NotFound
from . import audit, lifecycle
from .models import Staff
from .services import require_account


def held(session: Session, campaign: Campaign) -> list[Claim]:
    """The campaign's claims waiting for a decision, oldest first."""
    return list(
        session.scalars(
            select(Claim).where(Claim.campaign_id == campaign.id, Claim.status == "held").order_by(Claim.id)
        )
    )


def _held_claim(session: Session, staff: Staff, campaign: Campaign, claim_id: int) -> Claim:
    require_account(session, staff, campaign.account_id)
    claim = session.get(Claim, claim_id)
    if claim is None or claim.campaign_id != campaign.id:
        raise NotFound(msg("There is no such claim in this campaign."))
    if claim.status != "held":
        raise Conflict(msg("This claim was decided already ({status}).", status=claim.status))
    return claim


def approve(session: Session, staff: Staff, campaign: Campaign, claim_id: int, clock: Clock) -> Claim:
    """Let a held claim go on to its payout or shipment. Does not commit."""
    claim = _held_claim(session, staff, campaign, claim_id)
    claim.status, claim.decided_by_id, claim.decided_at = "approved", staff.id, clock.now()
    audit.record(session, staff, "claim.review_approve", clock.now(), account_id=campaign.account_id,
                 campaign_id=campaign.id, before={"status": "held"}, after={"code": claim.coupon.code})  # fmt: skip
    return claim


def reject(
    session: Session, redis: Any, staff: Staff, campaign: Campaign, claim_id: int, clock: Clock, secrets: SecretBox
) -> Claim:
    """Void a held claim's prize and return its stock as a new rules version (while published). Does not commit."""
    claim = _held_claim(session, staff, campaign, claim_id)
    tier = claim.coupon.tier
    returned = campaign.status in ALLOWED_FROM["top_up"]
    if returned:
        # First, so that a refused top-up leaves the claim held.
        lifecycle.top_up(session, redis, staff, campaign, {tier.tier: tier.stock + 1}, clock, secrets)
    claim.status, claim.decided_by_id, claim.decided_at = "void", staff.id, clock.now()
    audit.record(
        session,
        staff,
        "claim.review_reject",
        clock.now(),
        account_id=campaign.account_id,
        campaign_id=campaign.id,
        before={"status": "held"},
        after={"code": claim.coupon.code, "tier": tier.tier, "stock_returned": returned},
    )
    return claim
