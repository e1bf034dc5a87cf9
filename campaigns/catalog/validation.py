"""The marketer-level checks before publishing: every problem at once, per field, in plain words.

China's 2020 rules on promotions (规范促销行为暂行规定) cap the top prize of a lottery-style
promotion at ¥50,000 and require the prizes, their number and the odds to be fixed before
the draw; the checks below refuse a campaign that would break them or could not keep its word.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..coupons.issuers import CARD_UNCHECKED, CARD_UNKNOWN, issuer_for
from ..coupons.models import CouponCode
from ..errors import InvalidInput
from .document import Problems
from .messages import msg
from .models import NO_CLAIM, Campaign

# 50,000 yuan in fen.
TOP_PRIZE_CAP_MINOR = 50_000 * 100
# Publishing a few minutes after the start typed in the editor still counts as "now".
START_GRACE = timedelta(minutes=15)
__all__ = ["CARD_UNCHECKED", "CARD_UNKNOWN", "available_codes", "card_ids", "check", "problems_for"]


def available_codes(session: Session, campaign: Campaign) -> dict[str, int]:
    """Codes still in each tier's pool, by tier name."""
    rows = session.execute(
        select(CouponCode.tier_id, func.count())
        .where(CouponCode.tier_id.in_([t.id for t in campaign.tiers]), CouponCode.state == "available")
        .group_by(CouponCode.tier_id)
    )
    by_id = dict(rows.all())
    return {tier.tier: by_id.get(tier.id, 0) for tier in campaign.tiers}


def card_ids(campaign: Campaign) -> set[str]:
    """The WeChat card_ids the campaign's card prizes name (to look up before checking)."""
    return {
        (t.card_id or "").strip()
        for t in campaign.tiers
        if t.coupon_kind != NO_CLAIM and issuer_for(t.coupon_kind).uses_card_id and (t.card_id or "").strip()
    }


def _check_claim(tier, path: str, codes: dict[str, int], cards: Mapping[str, str], problems: Problems) -> None:
    if tier.coupon_kind == NO_CLAIM:
        if not tier.is_fallback:
            problems.add(f"{path}.coupon", msg("Choose how the winner claims this prize."))
        return
    for name, problem in issuer_for(tier.coupon_kind).problems(tier, codes.get(tier.tier, 0), cards).items():
        problems.add(f"{path}.{name}", problem)


def _check_tier(tier, index: int, codes: dict[str, int], cards: Mapping[str, str], problems: Problems) -> None:
    path = f"prizes[{index}]"
    if not isinstance(tier.weight, int) or isinstance(tier.weight, bool) or tier.weight < 1:
        problems.add(f"{path}.weight", msg("The weight must be a whole number of at least 1."))
    if not isinstance(tier.stock, int) or tier.stock < 0:
        problems.add(f"{path}.stock", msg("The stock cannot be negative."))
    if tier.currency == "CNY" and (tier.value_minor or 0) > TOP_PRIZE_CAP_MINOR:
        problems.add(
            f"{path}.value", msg("A lottery prize may be worth at most ¥50,000 (China's 2020 promotion rules).")
        )
    _check_claim(tier, path, codes, cards, problems)
    if tier.valid_from and tier.valid_until and tier.valid_until <= tier.valid_from:
        problems.add(f"{path}.valid_until", msg("The coupon must stay valid after it becomes valid."))


def _check_schedule(campaign: Campaign, now: datetime, problems: Problems) -> None:
    if campaign.starts_at < now - START_GRACE:
        problems.add("starts_at", msg("The start is in the past; choose now or a later time."))
    if campaign.ends_at <= max(campaign.starts_at, now):
        problems.add("ends_at", msg("The campaign must end after it starts, and in the future."))
    if campaign.opens_at and campaign.closes_at and campaign.opens_at >= campaign.closes_at:
        problems.add("closes_at", msg("Daily closing time must be after opening time."))


def problems_for(
    session: Session, campaign: Campaign, now: datetime, cards: Mapping[str, str] | None = None
) -> Problems:
    """Everything that stops ``campaign`` from being published, by field path.

    ``cards`` is what WeChat said of the card_ids looked up beforehand (``campaigns.wechat.cards``):
    ``{card_id: CARD_UNKNOWN | CARD_UNCHECKED}``; card_ids it does not name were found.
    """
    problems = Problems()
    if campaign.status != "draft":
        problems.add("status", msg("Only a draft can be published."))
    _check_schedule(campaign, now, problems)
    if not campaign.tiers:
        problems.add("prizes", msg("Add at least one prize."))
    fallbacks = [t for t in campaign.tiers if t.is_fallback]
    if len(fallbacks) != 1:
        problems.add(
            "prizes", msg("Mark exactly one prize as the fallback (what a player gets when nothing else is won).")
        )
    codes = available_codes(session, campaign)
    for index, tier in enumerate(campaign.tiers):
        _check_tier(tier, index, codes, cards or {}, problems)
    return problems


def check(session: Session, campaign: Campaign, now: datetime, cards: Mapping[str, str]) -> None:
    """Raise :class:`InvalidInput` listing every problem, or return when ``campaign`` may be published.

    ``cards`` is required: a campaign is never published with its card_ids unchecked.
    """
    problems = problems_for(session, campaign, now, cards)
    if problems:
        raise InvalidInput(
            msg("This campaign cannot be published yet ({count} problems).", count=len(problems)), fields=dict(problems)
        )
