"""Creating and changing draft campaigns from documents: every write checked, scoped and audited."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ..coupons.models import CouponCode
from ..errors import Conflict, InvalidInput, NotFound, SlugTaken
from ..staff import audit
from ..staff.models import Staff
from ..staff.services import account_ids, require_account
from . import document
from .messages import msg
from .models import Campaign, Channel, OfficialAccount, PrizeTier

TIER_FIELDS = (
    "name",
    "weight",
    "stock",
    "release",
    "is_fallback",
    "value_minor",
    "amount_min_minor",
    "amount_max_minor",
    "currency",
    "image",
    "coupon_kind",
    "card_id",
    "valid_from",
    "valid_until",
)
CAMPAIGN_FIELDS = (
    "slug",
    "name",
    "game",
    "timezone",
    "starts_at",
    "ends_at",
    "opens_at",
    "closes_at",
    "plays_per_day",
    "plays_total",
    "wins_total",
    "review_above_minor",
    "follow_required",
    "look",
)


def visible_campaigns(session: Session, staff: Staff, *, archived: bool = False) -> list[Campaign]:
    """The campaigns of the accounts ``staff`` works on, newest first."""
    query = select(Campaign).where(Campaign.archived == archived).order_by(Campaign.id.desc())
    allowed = account_ids(session, staff)
    if allowed is not None:
        query = query.where(Campaign.account_id.in_(allowed))
    return list(session.scalars(query))


def campaign_for(session: Session, staff: Staff, slug: str) -> Campaign:
    """The campaign ``slug`` if ``staff`` may see it; archived ones included."""
    campaign = session.scalar(select(Campaign).where(Campaign.slug == slug))
    if campaign is None:
        raise NotFound(msg("There is no campaign at this address."))
    require_account(session, staff, campaign.account_id)
    return campaign


def _values(session: Session, staff: Staff, doc: Any) -> tuple[dict[str, Any], OfficialAccount]:
    values, problems = document.parse(doc)
    account = None
    if values.get("account"):
        account = session.scalar(select(OfficialAccount).where(OfficialAccount.slug == values["account"]))
        if account is None:
            problems.add("account", msg("There is no Official Account with this name."))
    if problems:
        raise InvalidInput(msg("Please correct the highlighted fields."), fields=dict(problems))
    require_account(session, staff, account.id)
    if values["ends_at"] <= values["starts_at"]:
        raise InvalidInput(
            msg("Please correct the highlighted fields."),
            fields={"ends_at": msg("The campaign must end after it starts.")},
        )
    return values, account


def _check_slug(session: Session, slug: str, campaign: Campaign | None) -> None:
    other = session.scalar(select(Campaign).where(Campaign.slug == slug))
    if other is not None and other is not campaign:
        raise SlugTaken(
            msg("Please correct the highlighted fields."),
            fields={"slug": msg("Another campaign already uses this address.")},
        )


def _apply_tiers(session: Session, campaign: Campaign, prizes: list[dict[str, Any]]) -> None:
    existing = {tier.tier: tier for tier in campaign.tiers}
    wanted = {prize["tier"] for prize in prizes}
    for name, tier in existing.items():
        if name not in wanted:
            # A draft's codes never left the pool, so they go with their tier.
            session.execute(delete(CouponCode).where(CouponCode.tier_id == tier.id))
            campaign.tiers.remove(tier)
    # Positions are unique per campaign: move the survivors out of the way before renumbering.
    for offset, tier in enumerate(campaign.tiers):
        tier.position = -1 - offset
    session.flush()
    for position, prize in enumerate(prizes):
        tier = existing.get(prize["tier"])
        if tier is None:
            tier = PrizeTier(tier=prize["tier"])
            campaign.tiers.append(tier)
        tier.position = position
        for field in TIER_FIELDS:
            setattr(tier, field, prize[field])
    campaign.tiers.sort(key=lambda t: t.position)


def _apply_channels(campaign: Campaign, names: list[str]) -> None:
    for channel in list(campaign.channels):
        if channel.name not in names:
            campaign.channels.remove(channel)
    known = {channel.name for channel in campaign.channels}
    for name in names:
        if name not in known:
            # Scenes are unique across the installation and never reused, so they are random.
            campaign.channels.append(Channel(name=name, scene=f"ch{secrets.token_hex(8)}"))


def save(session: Session, staff: Staff, doc: Any, now: datetime, campaign: Campaign | None = None) -> Campaign:
    """Create a draft from ``doc``, or replace a draft's configuration with it; audited, not committed."""
    values, account = _values(session, staff, doc)
    before = None
    if campaign is not None:
        require_account(session, staff, campaign.account_id)
        if campaign.status != "draft":
            raise Conflict(
                msg("A published campaign's rules are frozen: only pause, resume, end and stock top-ups remain.")
            )
        before = document.to_document(campaign)
    _check_slug(session, values["slug"], campaign)
    if campaign is None:
        campaign = Campaign(status="draft", created_at=now)
        session.add(campaign)
    campaign.account = account
    for field in CAMPAIGN_FIELDS:
        setattr(campaign, field, values[field])
    session.flush()
    _apply_tiers(session, campaign, values["prizes"])
    _apply_channels(campaign, values["channels"])
    session.flush()
    after = document.to_document(campaign)
    audit.record(
        session,
        staff,
        "campaign.create" if before is None else "campaign.update",
        now,
        account_id=account.id,
        campaign_id=campaign.id,
        before=before,
        after=after,
    )
    return campaign


def add_channel(session: Session, staff: Staff, campaign: Campaign, name: Any, now: datetime) -> Channel:
    """Add a promotion channel (its own QR scene) to a campaign in any state but ended; audited, not committed.

    Channels are not part of the published rules (``draws.publish.rules_from_campaign``
    never reads them): a new poster changes where followers come from, not what they can win.
    """
    require_account(session, staff, campaign.account_id)
    if campaign.status == "ended":
        raise Conflict(msg("This campaign has ended; it needs no new channels."))
    name = name.strip() if isinstance(name, str) else ""
    if not 0 < len(name) <= 64:
        raise InvalidInput(
            msg("Name the channel."), fields={"channel": msg("Give the channel a name of at most 64 characters.")}
        )
    if name in {channel.name for channel in campaign.channels}:
        raise InvalidInput(
            msg("Name the channel."), fields={"channel": msg("This campaign already has a channel with this name.")}
        )
    if len(campaign.channels) >= document.MAX_CHANNELS:
        raise InvalidInput(
            msg("Too many channels."),
            fields={"channel": msg("A campaign has at most {count} channels.", count=document.MAX_CHANNELS)},
        )
    before = [channel.name for channel in campaign.channels]
    _apply_channels(campaign, before + [name])
    session.flush()
    audit.record(
        session,
        staff,
        "campaign.channel_add",
        now,
        account_id=campaign.account_id,
        campaign_id=campaign.id,
        before={"channels": before},
        after={"channels": before + [name]},
    )
    return next(channel for channel in campaign.channels if channel.name == name)


def duplicate(session: Session, staff: Staff, campaign: Campaign, slug: str, now: datetime) -> Campaign:
    """A new draft with ``campaign``'s configuration (not its codes, seeds or results) at ``slug``."""
    require_account(session, staff, campaign.account_id)
    doc = document.to_document(campaign)
    doc.update(slug=slug, name=f"{campaign.name} (copy)"[:120])
    copy = save(session, staff, doc, now)
    audit.record(
        session,
        staff,
        "campaign.duplicate",
        now,
        account_id=campaign.account_id,
        campaign_id=copy.id,
        before={"from": campaign.slug},
        after={"slug": copy.slug},
    )
    return copy


def archive(session: Session, staff: Staff, campaign: Campaign, now: datetime) -> Campaign:
    """Hide a draft or an ended campaign from lists and its page."""
    require_account(session, staff, campaign.account_id)
    if campaign.status not in ("draft", "ended"):
        raise Conflict(msg("End the campaign before archiving it; followers may be playing."))
    if not campaign.archived:
        campaign.archived = True
        audit.record(
            session,
            staff,
            "campaign.archive",
            now,
            account_id=campaign.account_id,
            campaign_id=campaign.id,
            before={"archived": False},
            after={"archived": True},
        )
    return campaign
