"""WeChat's card pushes: ``user_get_card`` (added to the wallet) and ``user_consume_card``.

The WeChat webhook calls :func:`handle_card_event` with the push's XML fields. A push
may arrive more than once (WeChat retries); each state change happens once and
emits its event once.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ..catalog.models import Campaign, OfficialAccount, PrizeTier
from ..clock import Clock, to_ms
from ..events import append
from .models import REDEEMABLE_STATES, CouponCode

log = logging.getLogger(__name__)

CARD_EVENTS = ("user_get_card", "user_consume_card")


def _field(fields: Mapping[str, Any], xml_name: str, attr_name: str) -> str:
    # Accepts the raw XML names and wechatpy's attribute names alike.
    return str(fields.get(xml_name) or fields.get(attr_name) or "")


def handle_card_event(
    session: Session, redis: Any, account: OfficialAccount, message_fields: Mapping[str, Any], clock: Clock
) -> str | None:
    """Apply a card push to the coupon; return the new state, or None when nothing changed. Commits."""
    event = _field(message_fields, "Event", "event").lower()
    if event not in CARD_EVENTS:
        return None
    code = _field(message_fields, "UserCardCode", "code")
    card_id = _field(message_fields, "CardId", "card_id")
    openid = _field(message_fields, "FromUserName", "source")
    coupon = session.scalar(
        select(CouponCode)
        .join(PrizeTier)
        .join(Campaign)
        .where(CouponCode.code == code, PrizeTier.card_id == card_id, Campaign.account_id == account.id)
    )
    if coupon is None:
        log.info("card push for an unknown code", extra={"event": event, "card_id": card_id})
        return None
    if event == "user_get_card":
        return _added(session, redis, coupon, openid, clock)
    return _consumed(session, redis, coupon, clock)


def _added(session: Session, redis: Any, coupon: CouponCode, openid: str, clock: Clock) -> str | None:
    if coupon.openid and openid and coupon.openid != openid:
        log.warning("card added by someone other than its winner", extra={"coupon": coupon.id})
        return None
    now = clock.now()
    changed = session.execute(
        update(CouponCode)
        .where(CouponCode.id == coupon.id, CouponCode.state == "issued")
        .values(state="added", added_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    session.commit()
    if not changed:
        return None
    append(
        redis,
        coupon.tier.campaign_id,
        "coupon_added",
        coupon.openid or openid,
        to_ms(now),
        code=coupon.code,
        tier=coupon.tier.tier,
    )
    return "added"


def _consumed(session: Session, redis: Any, coupon: CouponCode, clock: Clock) -> str | None:
    # Consumed through our own staff page, the coupon is redeemed already and this is a no-op;
    # otherwise it was consumed with WeChat's own tools and is recorded as such.
    now = clock.now()
    changed = session.execute(
        update(CouponCode)
        .where(CouponCode.id == coupon.id, CouponCode.state.in_(REDEEMABLE_STATES))
        .values(state="redeemed", redeemed_at=now, redeemed_by="WeChat")
        .execution_options(synchronize_session=False)
    ).rowcount
    session.commit()
    if not changed:
        return None
    append(
        redis,
        coupon.tier.campaign_id,
        "coupon_redeemed",
        coupon.openid or "",
        to_ms(now),
        code=coupon.code,
        tier=coupon.tier.tier,
    )
    return "redeemed"
