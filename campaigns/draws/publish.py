"""Publishing a campaign (the fairness commitment and its Redis state) and what may follow: pause, resume, end, top-up.

None of these commit: the caller commits the session once the step has succeeded, so
a failure leaves the campaign as it was in SQL (a Redis state written for a campaign
that stayed a draft is never read, and a later publish replaces it).
"""

from __future__ import annotations

import json
import secrets as secrets_mod
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..catalog.document import TIER
from ..catalog.models import NO_CLAIM, Campaign, PrizeTier, RulesVersion
from ..catalog.status import require_transition
from ..clock import Clock, to_ms, utc
from ..coupons.models import CouponCode
from ..crypto import SecretBox
from ..errors import InvalidInput
from ..keys import CampaignKeys
from . import fairness, inventory

# Refuse a second draw by the same player within this many milliseconds (rate_limited).
MIN_INTERVAL_MS = 300
# Winning moments are computed and stored one by one; more than this would make publish slow.
MAX_MOMENTS = 100_000


def declared_value(value_minor: int) -> str:
    """Minor units as a decimal text with two places: 8800 -> ``"88.00"``."""
    return f"{value_minor // 100}.{value_minor % 100:02d}"


def prize_entry(tier: PrizeTier) -> dict:
    """One tier as the rules document lists it (a random red-packet amount range too, in fen)."""
    entry = {
        "tier": tier.tier,
        "name": tier.name,
        "weight": tier.weight,
        "stock": tier.stock,
        "release": tier.release,
        "coupon": tier.coupon_kind,
        "value": declared_value(tier.value_minor or 0),
        "currency": tier.currency,
    }
    if tier.amount_min_minor is not None and tier.amount_max_minor is not None:
        entry["amount"] = {"min": tier.amount_min_minor, "max": tier.amount_max_minor}
    return entry


def rules_from_campaign(campaign: Campaign) -> dict:
    """The version-1 rules document of a campaign as it stands."""
    fallback = campaign.fallback_tier
    return fairness.rules_document(
        slug=campaign.slug,
        timezone_name=campaign.timezone,
        start_ms=to_ms(utc(campaign.starts_at)),
        end_ms=to_ms(utc(campaign.ends_at)),
        prizes=[prize_entry(t) for t in campaign.tiers],
        fallback_tier=fallback.tier if fallback else "",
        plays_per_day=campaign.plays_per_day,
        plays_total=campaign.plays_total,
        wins_total=campaign.wins_total,
    )


def _release_problem(release) -> str | None:
    if release in ("all", "moments"):
        return None
    if isinstance(release, dict) and set(release) == {"per_day"}:
        per_day = release["per_day"]
        if isinstance(per_day, int) and not isinstance(per_day, bool) and per_day >= 1:
            return None
    return 'Release must be "all", {"per_day": N} with N >= 1, or "moments".'


def protocol_problems(campaign: Campaign) -> dict[str, str]:
    """What breaks the fairness protocol's invariants, by field path."""
    problems: dict[str, str] = {}
    if campaign.status != "draft":
        problems["status"] = "Only a draft can be published."
    if utc(campaign.ends_at) <= utc(campaign.starts_at):
        problems["ends_at"] = "The campaign must end after it starts."
    if len([t for t in campaign.tiers if t.is_fallback]) != 1:
        problems["prizes"] = "Exactly one prize must be the fallback."
    if sum(max(t.weight, 0) for t in campaign.tiers) < 1:
        problems.setdefault("prizes", "The weights must add up to at least 1.")
    seen: set[str] = set()
    for index, tier in enumerate(campaign.tiers):
        problems.update(_tier_problems(tier, f"prizes[{index}]", seen))
        seen.add(tier.tier)
    return problems


def _tier_problems(tier, path: str, seen: set[str]) -> dict[str, str]:
    problems: dict[str, str] = {}
    if not TIER.match(tier.tier or "") or tier.tier in seen:
        problems[f"{path}.tier"] = "Tier ids are unique, 1-32 of a-z 0-9 _ -."
    if not isinstance(tier.weight, int) or tier.weight < 0:
        problems[f"{path}.weight"] = "The weight is a whole number, 0 or more."
    if not isinstance(tier.stock, int) or tier.stock < 0:
        problems[f"{path}.stock"] = "The stock is a whole number, 0 or more."
    elif tier.release == "moments" and tier.stock > MAX_MOMENTS:
        problems[f"{path}.stock"] = f"At most {MAX_MOMENTS} winning moments per prize."
    release_problem = _release_problem(tier.release)
    if release_problem:
        problems[f"{path}.release"] = release_problem
    return problems


def available_codes(session: Session, campaign: Campaign) -> dict[str, list[str]]:
    """The uploaded, unawarded codes of each tier, oldest first."""
    rows = session.execute(
        select(PrizeTier.tier, CouponCode.code)
        .join(CouponCode, CouponCode.tier_id == PrizeTier.id)
        .where(PrizeTier.campaign_id == campaign.id, CouponCode.state == "available")
        .order_by(CouponCode.id)
    )
    codes: dict[str, list[str]] = {}
    for tier, code in rows:
        codes.setdefault(tier, []).append(code)
    return codes


def publish(
    session: Session,
    redis,
    campaign: Campaign,
    *,
    clock: Clock,
    secrets: SecretBox,
    min_interval_ms: int = MIN_INTERVAL_MS,
) -> RulesVersion:
    """Commit to a server seed and rules v1, load the Redis state, and schedule or start the campaign."""
    problems = protocol_problems(campaign)
    if problems:
        raise InvalidInput(f"This campaign cannot be published ({len(problems)} problems).", fields=problems)
    now = clock.now()
    server_seed = secrets_mod.token_hex(32)
    document = rules_from_campaign(campaign)
    version = RulesVersion(
        campaign=campaign,
        version=1,
        from_seq=1,
        rules_json=fairness.canonical(document).decode(),
        rules_hash=fairness.rules_hash(document),
        created_at=now,
    )
    session.add(version)
    campaign.server_seed_sealed = secrets.seal(server_seed)
    campaign.server_seed_hash = fairness.seed_hash(server_seed)
    campaign.published_at = now
    campaign.status = "live" if now >= utc(campaign.starts_at) else "scheduled"
    session.flush()
    inventory.load(
        redis,
        campaign.id,
        document,
        server_seed=server_seed,
        campaign_status=campaign.status,
        rules_version=1,
        codes=available_codes(session, campaign),
        min_interval_ms=min_interval_ms,
    )
    return version


def pause(session: Session, redis, campaign: Campaign) -> None:
    """Stop draws until resumed."""
    require_transition(campaign, "pause")
    campaign.status = "paused"
    inventory.set_status(redis, campaign.id, "paused")


def resume(session: Session, redis, campaign: Campaign, clock: Clock) -> None:
    """Allow draws again after a pause."""
    require_transition(campaign, "resume")
    campaign.status = "live" if clock.now() >= utc(campaign.starts_at) else "scheduled"
    inventory.set_status(redis, campaign.id, campaign.status)


def end(session: Session, redis, campaign: Campaign, clock: Clock) -> None:
    """End the campaign now and reveal its server seed."""
    if campaign.status != "ended":  # ending an ended campaign again only reveals its seed
        require_transition(campaign, "end")
    inventory.set_status(redis, campaign.id, "ended")
    campaign.status = "ended"
    campaign.revealed_at = campaign.revealed_at or clock.now()


def is_revealed(campaign: Campaign, now: datetime) -> bool:
    """Whether the server seed is public: revealed early by the marketer, or the campaign is over."""
    if campaign.server_seed_hash is None:
        return False
    return campaign.revealed_at is not None or now >= utc(campaign.ends_at)


def go_live_due(session: Session, clock: Clock) -> int:
    """Mark scheduled campaigns whose start has passed as live; return how many (the script needs no change)."""
    due = session.scalars(select(Campaign).where(Campaign.status == "scheduled", Campaign.starts_at <= clock.now()))
    count = 0
    for campaign in due:
        campaign.status = "live"
        count += 1
    return count


def spare_codes(redis, campaign_id: int, tier: PrizeTier) -> int:
    """Codes in the tier's Redis pool beyond what its current stock still needs."""
    still_needed = max(tier.stock - inventory.awarded(redis, campaign_id).get(tier.tier, 0), 0)
    return max(redis.llen(CampaignKeys(campaign_id).codes(tier.tier)) - still_needed, 0)


def top_up(
    session: Session, redis, campaign: Campaign, stock: dict[str, int], clock: Clock, secrets: SecretBox | None = None
) -> RulesVersion:
    """Raise stock totals while published: a new rules version that governs draws from its ``from_seq``."""
    require_transition(campaign, "top_up")
    tiers = {t.tier: t for t in campaign.tiers}
    problems = {}
    for name, total in stock.items():
        tier = tiers.get(name)
        if tier is None or tier.is_fallback:
            problems[f"stock.{name}"] = "No such prize (the fallback has no stock)."
        elif not isinstance(total, int) or isinstance(total, bool) or total < tier.stock:
            problems[f"stock.{name}"] = f"The new total must be a whole number of at least {tier.stock}."
        elif tier.release == "moments" and (secrets is None or total > MAX_MOMENTS):
            problems[f"stock.{name}"] = "Winning moments can be topped up only with the seed, up to the maximum."
        elif tier.coupon_kind != NO_CLAIM and total - tier.stock > (spare := spare_codes(redis, campaign.id, tier)):
            problems[f"stock.{name}"] = (
                f"Upload more codes first: {total - tier.stock} more prizes but only "
                f"{spare} codes beyond the current stock."
            )
    if problems or not stock:
        raise InvalidInput("This top-up cannot be applied.", fields=problems or {"stock": "Nothing to change."})
    latest = campaign.rules_versions[-1]
    document = fairness.with_stock(json.loads(latest.rules_json), stock)
    number = latest.version + 1
    moments = {}
    for name, total in stock.items():
        if tiers[name].release == "moments":
            seed = secrets.open(campaign.server_seed_sealed)
            moments[name] = inventory.moment_units(seed, document, name, total, first=tiers[name].stock)
    prizes = {p["tier"]: p for p in document["prizes"]}
    from_seq = inventory.top_up(redis, campaign.id, number, prizes, stock, moments)
    for name, total in stock.items():
        tiers[name].stock = total
    version = RulesVersion(
        campaign=campaign,
        version=number,
        from_seq=from_seq,
        rules_json=fairness.canonical(document).decode(),
        rules_hash=fairness.rules_hash(document),
        created_at=clock.now(),
    )
    session.add(version)
    session.flush()
    return version
