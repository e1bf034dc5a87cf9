"""The published campaign as the draw path reads it: frozen at publish, kept per process.

After publishing, nothing a draw reads from SQL changes: the prize table (names, images,
coupons, weights), the server seed and the per-player limits are frozen. What does change
(status, stock, the rules version) lives in Redis, where the draw script enforces it. So
each process keeps a snapshot of every published campaign it serves and re-reads it from
SQL at most every ``REFRESH_S`` seconds (an archived campaign disappears within that
time). If the database cannot answer a refresh, the snapshot it has goes on serving: draws
need only Redis, and the worker writes the ledger when the database is back.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from ..catalog.models import Campaign, RulesVersion
from ..catalog.services import get_by_slug
from ..clock import to_ms
from ..coupons.issuers import first_step
from ..crypto import SecretBox
from ..errors import Busy, NotFound
from . import engine, inventory
from .publish import utc

log = logging.getLogger(__name__)

REFRESH_S = 30.0


@dataclass(frozen=True)
class Tier:
    """One prize tier as a draw answer shows it."""

    tier: str
    name: str
    image: str | None
    coupon_kind: str
    card_id: str | None
    is_fallback: bool
    stock: int
    # What its winner does first (the claim kind's first step).
    claim_step: str = "none"


@dataclass(frozen=True)
class PublishedCampaign:
    """What a draw needs of a published campaign, with no database session behind it."""

    id: int
    slug: str
    account_id: int
    follow_required: bool
    plays_per_day: int | None
    plays_total: int | None
    tiers: tuple[Tier, ...]
    fairness: engine.Fairness
    # For the follower's state (GET /me); the live status is Redis's, this one only stands in without it.
    timezone: str
    starts_ms: int
    ends_ms: int
    server_seed_hash: str
    status: str

    def tier(self, name: str) -> Tier:
        """The tier called ``name``."""
        return next(t for t in self.tiers if t.tier == name)


def _days(rules: dict) -> tuple[tuple[int, str], ...]:
    """The local days as (start ms, label) when plays per day or a per-day tier count by day; else none."""
    per_day = rules["limits"]["plays_per_day"] is not None or any(
        inventory.release_kind(p["release"]) == "per_day" for p in rules["prizes"]
    )
    if not per_day:
        return ()
    return tuple(sorted((ms, label) for label, ms in inventory.day_starts(rules).items()))


def snapshot(session: Session, campaign: Campaign, secrets: SecretBox) -> PublishedCampaign:
    """The frozen view of a published campaign (its seed decrypted, its weights from rules version 1)."""
    first = session.scalar(
        select(RulesVersion).where(RulesVersion.campaign_id == campaign.id, RulesVersion.version == 1)
    )
    if campaign.status == "draft" or not campaign.server_seed_sealed or first is None:
        raise NotFound("This campaign has not been published.")
    rules = json.loads(first.rules_json)
    prizes = tuple({"tier": p["tier"], "weight": p["weight"]} for p in rules["prizes"])
    return PublishedCampaign(
        id=campaign.id,
        slug=campaign.slug,
        account_id=campaign.account_id,
        follow_required=bool(campaign.follow_required),
        plays_per_day=campaign.plays_per_day,
        plays_total=campaign.plays_total,
        tiers=tuple(
            Tier(
                t.tier,
                t.name,
                t.image,
                t.coupon_kind,
                t.card_id,
                bool(t.is_fallback),
                t.stock,
                first_step(t.coupon_kind),
            )
            for t in campaign.tiers
        ),
        fairness=engine.Fairness(
            secrets.open(campaign.server_seed_sealed), prizes, rules["fallback_tier"], days=_days(rules)
        ),
        timezone=campaign.timezone,
        starts_ms=to_ms(utc(campaign.starts_at)),
        ends_ms=to_ms(utc(campaign.ends_at)),
        server_seed_hash=campaign.server_seed_hash,
        status=campaign.status,
    )


class PublishedCampaigns:
    """The per-process cache of :class:`PublishedCampaign` by slug (drafts and unknown slugs are never cached)."""

    def __init__(
        self, secrets: SecretBox, *, refresh_s: float = REFRESH_S, monotonic: Callable[[], float] = time.monotonic
    ):
        self._secrets = secrets
        self._refresh_s = refresh_s
        self._monotonic = monotonic
        self._items: dict[str, tuple[float, PublishedCampaign]] = {}
        self._lock = threading.Lock()

    def get(self, session: Session, slug: str) -> PublishedCampaign:
        """The published campaign ``slug``; :class:`NotFound` for drafts, archived and unknown slugs."""
        now = self._monotonic()
        with self._lock:
            held = self._items.get(slug)
        if held is not None and now - held[0] < self._refresh_s:
            return held[1]
        try:
            fresh = snapshot(session, get_by_slug(session, slug), self._secrets)
        except NotFound:
            with self._lock:
                self._items.pop(slug, None)
            raise
        except SQLAlchemyError as exc:
            session.rollback()
            if held is None:
                raise Busy("The campaign cannot be read right now; please try again in a moment.") from exc
            log.warning(
                "database unavailable; drawing with the published snapshot",
                extra={"campaign": held[1].id, "error": repr(exc)},
            )
            with self._lock:  # ask the database again only after another refresh period
                self._items[slug] = (now, held[1])
            return held[1]
        with self._lock:
            self._items[slug] = (now, fresh)
        return fresh

    def forget(self, slug: str) -> None:
        """Drop ``slug`` so the next read goes to SQL."""
        with self._lock:
            self._items.pop(slug, None)
