"""The real-winners ticker: the last wins of a campaign's ledger, one cached list per campaign.

Only the SQL ledger feeds it, so it shows nothing the draws did not award, and nothing a
marketer could type in (the console has no such field; the look only says how many wins
to show). Every follower's page asks for it every few seconds, so the list is kept in
Redis and rebuilt from SQL by one request per campaign every ``REFRESH_MS`` at most,
whichever process it lands on; the others get the list as it is. If the database cannot
answer, the last list stays.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from ..catalog.document import MAX_WINNERS_SHOWN
from ..catalog.models import Campaign
from ..keys import CampaignKeys
from .models import Draw

log = logging.getLogger(__name__)

REFRESH_MS = 5000
KEEP_MS = 3_600_000  # a list nobody asked for in an hour goes away
PLAYER_CHARS = 4  # the shown start of the winner's pseudonym


def shown_count(look: dict[str, Any] | None) -> int:
    """How many wins the campaign's look asks the ticker to show (0: no ticker)."""
    value = (look or {}).get("winners")
    return value if isinstance(value, int) and not isinstance(value, bool) and 0 < value <= MAX_WINNERS_SHOWN else 0


def last_wins(session: Session, campaign: Campaign) -> list[dict[str, Any]]:
    """The campaign's last wins in the SQL ledger, newest first: seq, the pseudonym's start and the prize."""
    count = shown_count(campaign.look)
    prizes = {t.tier: t.name for t in campaign.tiers if not t.is_fallback}
    if not count or not prizes:
        return []
    draws = session.scalars(
        select(Draw)
        .where(Draw.campaign_id == campaign.id, Draw.awarded_tier.in_(prizes))
        .order_by(Draw.seq.desc())
        .limit(count)
    )
    return [{"seq": d.seq, "player": d.player[:PLAYER_CHARS], "prize": prizes[d.awarded_tier]} for d in draws]


def cached_wins(redis, session: Session, campaign_id: int) -> list[dict[str, Any]]:
    """The ticker's list for ``campaign_id``; the first caller after each ``REFRESH_MS`` rebuilds it from SQL.

    The refresh key is both the list's age and the lock: whoever sets it (Redis's clock, ``NX``)
    refreshes, everyone else in the next ``REFRESH_MS`` reads the list as it is.
    """
    keys = CampaignKeys(campaign_id)
    if not redis.set(keys.winners_refresh, 1, nx=True, px=REFRESH_MS):
        raw = redis.get(keys.winners)
        return json.loads(raw) if raw else []
    try:
        campaign = session.get(Campaign, campaign_id)
        winners = last_wins(session, campaign) if campaign else []
    except SQLAlchemyError as exc:
        session.rollback()
        log.warning("winners list not refreshed", extra={"campaign": campaign_id, "error": repr(exc)})
        raw = redis.get(keys.winners)
        return json.loads(raw) if raw else []
    redis.set(keys.winners, json.dumps(winners), px=KEEP_MS)
    return winners
