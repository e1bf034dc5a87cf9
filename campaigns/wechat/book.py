"""What the webhook needs to answer an account's pushes, held per process with no database behind it.

WeChat waits 5 seconds for a passive reply, so the answer is built from an :class:`AccountBook`: the
account's credentials, its replies document, its channel scenes and a card of each of its published
campaigns. Each process re-reads a book from SQL at most every ``REFRESH_S`` seconds (saving the
replies or the menu forgets it at once in the saving process), and keeps the book it has when the
database cannot answer, as ``campaigns/draws/published.py`` does for draws.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from ..analytics.days import ATTRIBUTION_DAYS
from ..catalog.models import Campaign, OfficialAccount
from ..clock import utc
from ..crypto import SecretBox
from ..errors import Busy
from .accounts import Credentials, credentials
from .models import AccountReplies
from .qr import CAMPAIGN_SCENE_PREFIX
from .replies import EMPTY

log = logging.getLogger(__name__)

REFRESH_S = 15.0
DESCRIPTION_CHARS = 120
# Campaigns that ended this recently still see unfollows (analytics measures retention).
RECENT_DAYS = ATTRIBUTION_DAYS
RECENT_STATUSES = ("live", "paused", "ended")


@dataclass(frozen=True)
class CampaignTimes:
    """What choosing the campaigns a follow concerns needs: id, status and end (drafts included)."""

    id: int
    slug: str
    status: str
    ends_at: datetime


@dataclass(frozen=True)
class CampaignCard:
    """A published campaign as a reply shows it."""

    slug: str
    title: str
    description: str
    cover: str  # a path on this site, or ""
    status: str
    starts_at: datetime
    ends_at: datetime
    timezone: str


@dataclass(frozen=True)
class AccountBook:
    """An account's credentials, replies, scenes and campaign cards, frozen when read."""

    account_id: int
    slug: str
    app_id: str
    creds: Credentials
    replies: dict[str, Any]
    scenes: dict[str, str]  # QR scene -> campaign slug
    cards: dict[str, CampaignCard] = field(default_factory=dict)  # by slug, in campaign order
    channels: dict[str, tuple[int, str]] = field(default_factory=dict)  # scene -> (campaign id, channel name)
    campaigns: tuple[CampaignTimes, ...] = ()  # every campaign not archived, drafts too, by id

    def campaign_of_scene(self, scene: str) -> CampaignCard | None:
        """The campaign a scene belongs to: one of its channels, or its own follow prompt."""
        slug = self.scenes.get(scene)
        if slug is None and scene.startswith(CAMPAIGN_SCENE_PREFIX):
            slug = scene[len(CAMPAIGN_SCENE_PREFIX) :]
        return self.cards.get(slug or "")

    def follow_targets(self, scene: str, kind: str, now: datetime) -> tuple[list[int], str]:
        """The campaign ids a follow/unfollow concerns and its channel's name: the scene's campaign for a
        follow through a channel or a campaign's prompt, else every live, paused or lately ended campaign."""
        if scene and kind == "follow":
            if scene in self.channels:
                campaign_id, channel = self.channels[scene]
                return [campaign_id], channel
            slug = scene[len(CAMPAIGN_SCENE_PREFIX) :] if scene.startswith(CAMPAIGN_SCENE_PREFIX) else None
            named = [c.id for c in self.campaigns if c.slug == slug]
            if named:
                return named, ""
        since = now - timedelta(days=RECENT_DAYS)
        return [c.id for c in self.campaigns if c.status in RECENT_STATUSES and utc(c.ends_at) >= since], ""


def _description(campaign: Campaign) -> str:
    """The prizes to win, in the campaign's words: the short text under a news card's title."""
    prizes = "、".join(t.name for t in campaign.tiers if not t.is_fallback)
    text = f"奖品：{prizes}" if prizes else campaign.name
    return text[:DESCRIPTION_CHARS]


def _site_path(value) -> str:
    """``value`` when it is a path on this site (what the editor allows), else ""."""
    ok = isinstance(value, str) and value.startswith("/") and not value.startswith("//") and value.isprintable()
    return value if ok and "\\" not in value else ""


def _cover(campaign: Campaign) -> str:
    look = campaign.look or {}
    images = [look.get("background_image"), *(t.image for t in campaign.tiers)]
    return next((path for image in images if (path := _site_path(image))), "")


def card(campaign: Campaign) -> CampaignCard:
    """The card of one campaign."""
    look = campaign.look or {}
    return CampaignCard(
        slug=campaign.slug,
        title=look.get("title") or campaign.name,
        description=_description(campaign),
        cover=_cover(campaign),
        status=campaign.status,
        starts_at=campaign.starts_at,
        ends_at=campaign.ends_at,
        timezone=campaign.timezone,
    )


def load(session: Session, account_slug: str, box: SecretBox) -> AccountBook | None:
    """The book of the account ``account_slug`` read from SQL; None for an unknown account."""
    account = session.scalar(select(OfficialAccount).where(OfficialAccount.slug == account_slug))
    if account is None:
        return None
    row = session.scalar(select(AccountReplies).where(AccountReplies.account_id == account.id))
    every = session.scalars(
        select(Campaign).where(Campaign.account_id == account.id, Campaign.archived.is_(False)).order_by(Campaign.id)
    ).all()
    campaigns = [c for c in every if c.status != "draft"]
    return AccountBook(
        account_id=account.id,
        slug=account.slug,
        app_id=account.app_id,
        creds=credentials(box, account),
        replies={**EMPTY, **(row.document if row else {})},
        scenes={channel.scene: c.slug for c in campaigns for channel in c.channels},
        cards={c.slug: card(c) for c in campaigns},
        channels={channel.scene: (c.id, channel.name) for c in every for channel in c.channels},
        campaigns=tuple(CampaignTimes(c.id, c.slug, c.status, c.ends_at) for c in every),
    )


class AccountBooks:
    """The per-process cache of :class:`AccountBook` by account slug (an unknown slug is cached as None)."""

    def __init__(
        self, secrets: SecretBox, *, refresh_s: float = REFRESH_S, monotonic: Callable[[], float] = time.monotonic
    ):
        self._secrets = secrets
        self._refresh_s = refresh_s
        self._monotonic = monotonic
        self._items: dict[str, tuple[float, AccountBook | None]] = {}
        self._lock = threading.Lock()

    def get(self, session: Session, account_slug: str) -> AccountBook | None:
        """The book of ``account_slug``, read again once it is older than the refresh period."""
        now = self._monotonic()
        with self._lock:
            held = self._items.get(account_slug)
        if held is not None and now - held[0] < self._refresh_s:
            return held[1]
        try:
            fresh = load(session, account_slug, self._secrets)
        except SQLAlchemyError as exc:
            session.rollback()
            if held is None:
                raise Busy("The account cannot be read right now.") from exc
            log.warning("database unavailable; answering pushes from the account's book", extra={"error": repr(exc)})
            fresh = held[1]
        with self._lock:
            self._items[account_slug] = (now, fresh)
        return fresh

    def forget(self, account_slug: str) -> None:
        """Drop ``account_slug`` so the next push reads it from SQL."""
        with self._lock:
            self._items.pop(account_slug, None)
