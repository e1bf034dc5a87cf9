"""Looking up and redeeming a coupon in a store: exactly once, every refusal logged.

The claim is one conditional ``UPDATE … WHERE state IN ('issued', 'added')``: the
database lets exactly one of any number of concurrent redeemers change the row
(PostgreSQL re-checks the condition after the winner commits; SQLite serialises
writers), and the losers are told when and where it was redeemed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import delete, select, update

from ..clock import iso_ms, to_ms
from ..context import Context
from ..errors import (
    AlreadyRedeemed,
    CampaignError,
    CouponForeign,
    CouponNotIssued,
    CouponNotValid,
    CouponRefused,
    CouponUnknown,
    RateLimited,
)
from ..events import append
from ..keys import redeem_rate
from .issuers import issuer_for
from .models import REDEEMABLE_STATES, CouponCode, Redemption, RefusalLog, Store, StoreLink
from .platform_codes import normalize
from .services import effective_state, validity

# Attempts (look-ups and confirmations) per staff member or store link per minute.
RATE_LIMIT = 30
RATE_WINDOW_SECONDS = 60


@dataclass
class Redeemer:
    """Who redeems: a store, and either a signed-in staff member or a store link."""

    store: Store
    staff_id: int | None = None
    link: StoreLink | None = None

    @property
    def actor(self) -> str:
        """The rate-limit identity: the staff member, or the link."""
        return f"staff:{self.staff_id}" if self.staff_id is not None else f"link:{self.link.id}"


def check_rate(ctx: Context, redeemer: Redeemer) -> None:
    """Count one attempt; RateLimited past :data:`RATE_LIMIT` a minute."""
    key = redeem_rate(redeemer.actor)
    pipe = ctx.redis.pipeline()
    pipe.set(key, 0, ex=RATE_WINDOW_SECONDS, nx=True)
    pipe.incr(key)
    if pipe.execute()[1] > RATE_LIMIT:
        raise RateLimited("Too many attempts; wait a minute and try again.")


def _count_attempt(ctx: Context, redeemer: Redeemer, entered: str) -> None:
    try:
        check_rate(ctx, redeemer)
    except RateLimited as refusal:
        _refuse(ctx, redeemer, entered, refusal, None)


def look_up(ctx: Context, redeemer: Redeemer, entered: str) -> dict[str, Any]:
    """What staff see before confirming: prize, campaign, validity, state."""
    _count_attempt(ctx, redeemer, entered)
    coupon = _find(ctx, redeemer, entered)
    return describe(ctx, coupon)


def redeem(ctx: Context, redeemer: Redeemer, entered: str) -> dict[str, Any]:
    """Redeem the coupon once, for the redeemer's store; refusals are logged and change nothing."""
    _count_attempt(ctx, redeemer, entered)
    coupon = _find(ctx, redeemer, entered)
    try:
        _check_redeemable(ctx, coupon)
        previous = _claim(ctx, redeemer, coupon)
    except CouponRefused as refusal:
        _refuse(ctx, redeemer, entered, refusal, coupon)
    try:
        issuer_for(coupon.tier.coupon_kind).redeem(ctx, coupon)
    except AlreadyRedeemed as refusal:
        _consumed_elsewhere(ctx, coupon)
        _refuse(ctx, redeemer, entered, refusal, coupon)
    except Exception:
        _release(ctx, coupon, previous)
        raise
    append(
        ctx.redis,
        coupon.tier.campaign_id,
        "coupon_redeemed",
        coupon.openid or "",
        to_ms(coupon.redeemed_at),
        code=coupon.code,
        tier=coupon.tier.tier,
        # Who redeemed, for the redemptions per store and per staff member (docs/metrics.md).
        store=redeemer.store.name,
        staff=redeemer.actor,
    )
    return describe(ctx, coupon)


def describe(ctx: Context, coupon: CouponCode) -> dict[str, Any]:
    """The coupon as the staff page shows it."""
    valid_from, valid_until = validity(coupon)
    campaign = coupon.tier.campaign
    return {
        "code": coupon.code,
        "kind": coupon.tier.coupon_kind,
        "prize": coupon.tier.name,
        "tier": coupon.tier.tier,
        "campaign": campaign.name,
        "valid_from": iso_ms(valid_from) if valid_from else None,
        "valid_until": iso_ms(valid_until) if valid_until else None,
        "state": effective_state(coupon, ctx.clock.now()),
        "redeemed_at": iso_ms(coupon.redeemed_at) if coupon.redeemed_at else None,
        "redeemed_by": coupon.redeemed_by,
    }


def _find(ctx: Context, redeemer: Redeemer, entered: str) -> CouponCode:
    code = normalize(entered)
    coupon = ctx.session.scalar(select(CouponCode).where(CouponCode.code == code)) if code else None
    if coupon is None:
        _refuse(ctx, redeemer, entered, CouponUnknown("No coupon has this code; check what you typed."), None)
    campaign = coupon.tier.campaign
    link_campaign = redeemer.link.campaign_id if redeemer.link else None
    if campaign.account_id != redeemer.store.account_id or link_campaign not in (None, campaign.id):
        _refuse(ctx, redeemer, entered, CouponForeign("This coupon is not for this store."), coupon)
    return coupon


def _check_redeemable(ctx: Context, coupon: CouponCode) -> None:
    now = ctx.clock.now()
    state = effective_state(coupon, now)
    if state == "redeemed":
        raise _already(ctx, coupon)
    if state == "expired":
        raise CouponNotValid("This coupon has expired.")
    if state not in REDEEMABLE_STATES:
        raise CouponNotIssued("This coupon has not been won by anyone.")
    valid_from, _ = validity(coupon)
    if valid_from is not None and now < valid_from:
        raise CouponNotValid(f"This coupon is valid from {_local(ctx, coupon, valid_from, '%Y-%m-%d %H:%M')}.")


def _claim(ctx: Context, redeemer: Redeemer, coupon: CouponCode) -> str:
    """Move the coupon to redeemed if nobody else did; return the state it had."""
    session, now = ctx.session, ctx.clock.now()
    previous = coupon.state
    claimed = session.execute(
        update(CouponCode)
        .where(CouponCode.id == coupon.id, CouponCode.state.in_(REDEEMABLE_STATES))
        .values(state="redeemed", redeemed_at=now, redeemed_by=redeemer.store.name)
        .execution_options(synchronize_session=False)
    ).rowcount
    if claimed != 1:
        session.rollback()
        session.refresh(coupon)
        raise _already(ctx, coupon)
    session.add(
        Redemption(
            coupon_id=coupon.id,
            campaign_id=coupon.tier.campaign_id,
            store_id=redeemer.store.id,
            staff_id=redeemer.staff_id,
            store_link_id=redeemer.link.id if redeemer.link else None,
            redeemed_at=now,
        )
    )
    session.commit()
    session.refresh(coupon)
    return previous


def _release(ctx: Context, coupon: CouponCode, previous: str) -> None:
    """Undo a claim the issuer's platform refused, so the coupon can be redeemed later."""
    session = ctx.session
    session.rollback()
    session.execute(delete(Redemption).where(Redemption.coupon_id == coupon.id))
    session.execute(
        update(CouponCode)
        .where(CouponCode.id == coupon.id, CouponCode.state == "redeemed")
        .values(state=previous, redeemed_at=None, redeemed_by=None)
    )
    session.commit()


def _consumed_elsewhere(ctx: Context, coupon: CouponCode) -> None:
    """The issuer says it was used before: keep it redeemed, but not as this store's redemption."""
    session = ctx.session
    session.rollback()
    session.execute(delete(Redemption).where(Redemption.coupon_id == coupon.id))
    session.execute(update(CouponCode).where(CouponCode.id == coupon.id).values(redeemed_by="WeChat"))
    session.commit()


def _already(ctx: Context, coupon: CouponCode) -> AlreadyRedeemed:
    if coupon.redeemed_at is None:
        return AlreadyRedeemed("This coupon has already been redeemed.")
    at = _local(ctx, coupon, coupon.redeemed_at, "%H:%M")
    return AlreadyRedeemed(
        f"Already redeemed at {at} by {coupon.redeemed_by or 'another store'}.",
        redeemed_at=iso_ms(coupon.redeemed_at),
        redeemed_by=coupon.redeemed_by,
    )


def _local(ctx: Context, coupon: CouponCode, at, fmt: str) -> str:
    """``at`` on the campaign's wall clock, where the store is."""
    return at.astimezone(ZoneInfo(coupon.tier.campaign.timezone)).strftime(fmt)


def _refuse(ctx: Context, redeemer: Redeemer, entered: str, refusal: CampaignError, coupon: CouponCode | None):
    """Log the refusal for the operators in its own transaction, then raise it."""
    session = ctx.session
    session.rollback()
    session.add(
        RefusalLog(
            at=ctx.clock.now(),
            reason=refusal.code,
            code_entered=(entered or "")[:64],
            coupon_id=coupon.id if coupon else None,
            store_id=redeemer.store.id,
            staff_id=redeemer.staff_id,
            store_link_id=redeemer.link.id if redeemer.link else None,
        )
    )
    session.commit()
    raise refusal


def refusals(ctx: Context, limit: int = 100) -> list[RefusalLog]:
    """The latest refusals, newest first, for the operators."""
    return list(
        ctx.session.scalars(select(RefusalLog).order_by(RefusalLog.at.desc(), RefusalLog.id.desc()).limit(limit))
    )
