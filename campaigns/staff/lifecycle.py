"""The staff's actions on a campaign's state: publish, pause, resume, end early, top up stock.

The marketer-level rules are checked here (``catalog.validation``); the commitment and the
Redis state are the draw engine's (``draws.publish``). Every action is audited.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from typing import Any

from sqlalchemy.orm import Session

from ..catalog import document, validation
from ..catalog.messages import msg
from ..catalog.models import NO_CLAIM, Campaign, OfficialAccount
from ..catalog.status import require_transition
from ..clock import Clock
from ..coupons import services as coupon_services
from ..crypto import SecretBox
from ..draws import publish as engine
from ..errors import InvalidInput
from ..keys import CampaignKeys
from . import audit
from .models import Staff
from .services import require_account

ACTIONS = ("pause", "resume", "end")
# Looks the card_ids up with WeChat: ``{card_id: CARD_UNKNOWN | CARD_UNCHECKED}`` (``campaigns.wechat.cards.checker``).
CardCheck = Callable[[OfficialAccount, Collection[str]], Mapping[str, str]]


# Which states each action starts from, so a refused transition says why in words.
def _cards(campaign: Campaign, check_cards: CardCheck) -> Mapping[str, str]:
    ids = validation.card_ids(campaign)
    return check_cards(campaign.account, ids) if ids else {}


def publish_problems(session: Session, campaign: Campaign, clock: Clock, check_cards: CardCheck) -> dict[str, str]:
    """Everything that stops a draft from being published, card_ids looked up with WeChat included."""
    return dict(validation.problems_for(session, campaign, clock.now(), _cards(campaign, check_cards)))


def check_publishable(session: Session, campaign: Campaign, clock: Clock, check_cards: CardCheck) -> None:
    """Ask WeChat about the card prizes first, then apply every marketer-level rule at once (pure)."""
    validation.check(session, campaign, clock.now(), _cards(campaign, check_cards))


def publish(
    session: Session,
    redis: Any,
    staff: Staff,
    campaign: Campaign,
    clock: Clock,
    secrets: SecretBox,
    *,
    check_cards: CardCheck,
):
    """Check every marketer-level rule, then commit to the rules and open the campaign."""
    require_account(session, staff, campaign.account_id)
    require_transition(campaign, "publish")
    check_publishable(session, campaign, clock, check_cards)
    made = coupon_services.generate_missing(session, campaign)
    rules = engine.publish(session, redis, campaign, clock=clock, secrets=secrets)
    audit.record(
        session,
        staff,
        "campaign.publish",
        clock.now(),
        account_id=campaign.account_id,
        campaign_id=campaign.id,
        before={"status": "draft"},
        after={
            "status": campaign.status,
            "server_seed_hash": campaign.server_seed_hash,
            "rules": document.to_document(campaign),
            "generated_codes": {tier: len(codes) for tier, codes in made.items()},
        },
    )
    return rules


def change_state(session: Session, redis: Any, staff: Staff, campaign: Campaign, action: str, clock: Clock) -> None:
    """Pause, resume or end (which reveals the server seed) a published campaign."""
    if action not in ACTIONS:
        raise InvalidInput(
            msg("Unknown action."), fields={"action": msg("Choose one of: {choices}.", choices=", ".join(ACTIONS))}
        )
    require_account(session, staff, campaign.account_id)
    require_transition(campaign, action)
    before = campaign.status
    if action == "pause":
        engine.pause(session, redis, campaign)
    else:
        getattr(engine, action)(session, redis, campaign, clock)
    audit.record(
        session,
        staff,
        f"campaign.{action}",
        clock.now(),
        account_id=campaign.account_id,
        campaign_id=campaign.id,
        before={"status": before},
        after={"status": campaign.status},
    )


def parse_top_up(campaign: Campaign, raw: Any) -> dict[str, int]:
    """``{tier: new total stock}`` from a request; totals may only grow and only prize tiers count."""
    stock = {tier.tier: tier.stock for tier in campaign.tiers if not tier.is_fallback}
    if not isinstance(raw, dict) or not raw:
        raise InvalidInput(msg("Give the new total stock of at least one prize."), fields={"stock": msg("Required.")})
    problems, totals = {}, {}
    for tier, value in raw.items():
        if tier not in stock:
            problems[f"stock.{tier}"] = msg("There is no such prize in this campaign.")
        elif isinstance(value, bool) or not isinstance(value, int) or value > 2_000_000_000:
            problems[f"stock.{tier}"] = msg("Enter the new total as a whole number.")
        elif value < stock[tier]:
            problems[f"stock.{tier}"] = msg("A top-up cannot lower the stock (now {stock}).", stock=stock[tier])
        elif value > stock[tier]:
            totals[tier] = value
    if problems:
        raise InvalidInput(msg("Please correct the highlighted fields."), fields=problems)
    if not totals:
        raise InvalidInput(
            msg("Nothing to top up: every total equals the current stock."), fields={"stock": msg("Unchanged.")}
        )
    return totals


def _generate_for_top_up(session: Session, redis: Any, campaign: Campaign, totals: Mapping[str, int]) -> None:
    # The extra prizes of kinds whose codes the platform makes get them first, committed
    # before they enter the Redis pool so that Redis never holds a code SQL does not know.
    tiers = {t.tier: t for t in campaign.tiers}
    extra = {name: total - tiers[name].stock for name, total in totals.items()}
    spare = {name: engine.spare_codes(redis, campaign.id, tiers[name]) for name in totals}
    made = coupon_services.generate_missing(session, campaign, extra, waiting=spare)
    if made:
        session.commit()
        for name, codes in made.items():
            redis.rpush(CampaignKeys(campaign.id).codes(name), *codes)


def top_up(session: Session, redis: Any, staff: Staff, campaign: Campaign, raw: Any, clock: Clock, secrets: SecretBox):
    """Raise the stock of prize tiers of a published campaign (a new rules version, announced)."""
    require_account(session, staff, campaign.account_id)
    require_transition(campaign, "top_up")
    totals = parse_top_up(campaign, raw)
    _generate_for_top_up(session, redis, campaign, totals)
    codes = validation.available_codes(session, campaign)
    short = {
        f"stock.{t.tier}": msg("Upload the codes for the extra prizes first.")
        for t in campaign.tiers
        if t.tier in totals and t.coupon_kind != NO_CLAIM and codes.get(t.tier, 0) < totals[t.tier] - t.stock
    }
    if short:
        raise InvalidInput(msg("Some prizes need more codes first."), fields=short)
    before = {t.tier: t.stock for t in campaign.tiers if t.tier in totals}
    rules = engine.top_up(session, redis, campaign, totals, clock, secrets)
    audit.record(
        session,
        staff,
        "campaign.top_up",
        clock.now(),
        account_id=campaign.account_id,
        campaign_id=campaign.id,
        before=before,
        after=totals,
    )
    return rules
