"""Coupon pools, states and the follower's own coupons."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from .. import events
from ..catalog.models import Campaign, PrizeTier
from ..clock import Clock, from_ms, iso_ms
from ..context import Context
from ..errors import InvalidInput, NotFound
from ..keys import CampaignKeys
from .issuers import issuer_for
from .models import CouponCode

# Campaigns in these states have their pools in Redis already (loaded at publish).
PUBLISHED = ("scheduled", "live", "paused")
# How far back in the stream a win not yet in the ledger is looked for: well beyond the worker's lag.
RECENT_EVENTS = 2000


def validity(coupon: CouponCode) -> tuple[datetime | None, datetime | None]:
    """The coupon's own validity dates, or its tier's."""
    tier = coupon.tier
    return coupon.valid_from or tier.valid_from, coupon.valid_until or tier.valid_until


def effective_state(coupon: CouponCode, now: datetime) -> str:
    """The state a person should see: an unused coupon past its last day is ``expired``."""
    _, until = validity(coupon)
    if coupon.state in ("issued", "added") and until is not None and now > until:
        return "expired"
    return coupon.state


def coupon_states(session: Session, codes: list[str], clock: Clock) -> dict[str, str]:
    """The state of each code ("issued", "added", "redeemed", "expired"); unknown codes are left out."""
    if not codes:
        return {}
    now = clock.now()
    coupons = session.scalars(select(CouponCode).where(CouponCode.code.in_(codes)))
    return {coupon.code: effective_state(coupon, now) for coupon in coupons}


def expire_due(ctx: Context) -> int:
    """Record as ``expired`` every unused coupon past its last day; return how many. Commits."""
    now = ctx.clock.now()
    due = ctx.session.scalars(
        select(CouponCode)
        .join(PrizeTier)
        .where(
            CouponCode.state.in_(("issued", "added")),
            or_(CouponCode.valid_until < now, (CouponCode.valid_until.is_(None)) & (PrizeTier.valid_until < now)),
        )
    ).all()
    expired = 0
    for coupon in due:
        issuer_for(coupon.tier.coupon_kind).expire(ctx, coupon)
        # Conditional, so a redemption that wins the race is never overwritten.
        expired += ctx.session.execute(
            update(CouponCode)
            .where(CouponCode.id == coupon.id, CouponCode.state.in_(("issued", "added")))
            .values(state="expired")
            .execution_options(synchronize_session=False)
        ).rowcount
    ctx.session.commit()
    return expired


def add_codes(ctx: Context, tier: PrizeTier, codes: Sequence[str]) -> list[str]:
    """Put ``codes`` into the tier's pool through its issuer; return the codes added.

    Commits, then pushes the codes into the Redis pool of a published campaign, so
    that Redis never holds a code the database does not know.
    """
    if tier.coupon_kind == "none":
        raise InvalidInput("This prize carries no coupon.", fields={"coupon_kind": "none"})
    known = set(ctx.session.scalars(select(CouponCode.code).where(CouponCode.code.in_(list(codes)))))
    if known:
        raise InvalidInput(
            f"{len(known)} codes exist already (first: {sorted(known)[0]}).", fields={"codes": "duplicates"}
        )
    accepted = issuer_for(tier.coupon_kind).stock(ctx, tier, codes)
    ctx.session.add_all(CouponCode(tier_id=tier.id, code=code, state="available") for code in accepted)
    ctx.session.commit()
    if tier.campaign.status in PUBLISHED and accepted:
        ctx.redis.rpush(CampaignKeys(tier.campaign_id).codes(tier.tier), *accepted)
    return accepted


def owned_coupon(session: Session, redis: Any, campaign: Campaign, openid: str, code: str) -> CouponCode:
    """The follower's coupon ``code`` won in ``campaign``; NotFound for anyone else's.

    A coupon won a moment ago may not be in the ledger yet (the worker records draws
    from the stream); its draw event is then found among the stream's latest entries.
    """
    coupon = session.scalar(
        select(CouponCode).join(PrizeTier).where(CouponCode.code == code, PrizeTier.campaign_id == campaign.id)
    )
    if coupon is not None and coupon.state == "available":
        _record_recent_win(session, redis, campaign.id, coupon)
    if coupon is None or coupon.openid != openid or coupon.state == "available":
        raise NotFound("You have no such coupon.")
    return coupon


def _record_recent_win(session: Session, redis: Any, campaign_id: int, coupon: CouponCode) -> None:
    for _, entry in events.read(redis.xrevrange(CampaignKeys(campaign_id).events, count=RECENT_EVENTS), campaign_id):
        if entry.get("type") == "draw" and entry.get("code") == coupon.code:
            # Conditional, as the ledger's own marking: whichever comes first wins, the other changes nothing.
            session.execute(
                update(CouponCode)
                .where(CouponCode.id == coupon.id, CouponCode.state == "available")
                .values(
                    state="issued",
                    openid=entry["openid"],
                    draw_seq=int(entry["seq"]),
                    issued_at=from_ms(int(entry["ts"])),
                )
                .execution_options(synchronize_session=False)
            )
            session.commit()
            session.refresh(coupon)
            return


def follower_view(ctx: Context, coupon: CouponCode) -> dict[str, Any]:
    """What the follower's prize page shows of one coupon, and what to do next."""
    valid_from, valid_until = validity(coupon)
    state = effective_state(coupon, ctx.clock.now())
    view = issuer_for(coupon.tier.coupon_kind).deliver(ctx, coupon)
    view.update(
        state=state,
        valid_from=iso_ms(valid_from) if valid_from else None,
        valid_until=iso_ms(valid_until) if valid_until else None,
        next_step=_next_step(coupon.tier.coupon_kind, state),
    )
    return view


def _next_step(kind: str, state: str) -> str:
    if state in ("redeemed", "expired"):
        return "none"
    if kind == "wechat_card" and state == "issued":
        return "add_to_wallet"
    return "show_in_store"
