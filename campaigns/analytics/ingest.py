"""Moving a campaign's participation events from its Redis Stream into SQL.

Exactly once in effect: entries are read through a consumer group, written with
their unique event id (a re-delivered entry writes nothing), and acknowledged
only after the transaction commits.
"""
from __future__ import annotations

import logging

import redis as redis_lib
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..draws.ledger import record_draws
from ..keys import INGEST_GROUP, CampaignKeys
from .models import Event

log = logging.getLogger(__name__)

COMMON_FIELDS = ("id", "type", "campaign", "openid", "ts")


def ensure_group(redis, stream: str) -> None:
    """Create the ingest consumer group (and the stream) if missing."""
    try:
        redis.xgroup_create(stream, INGEST_GROUP, id="0", mkstream=True)
    except redis_lib.ResponseError as exc:
        if "BUSYGROUP" not in str(exc):
            raise


def _write(session: Session, campaign_id: int, entries: list[tuple[str, dict]]) -> int:
    ids = [fields["id"] for _, fields in entries]
    seen = set(
        session.scalars(select(Event.event_id).where(Event.campaign_id == campaign_id, Event.event_id.in_(ids)))
    )
    written = 0
    for _, fields in entries:
        if fields["id"] in seen:
            continue
        seen.add(fields["id"])
        session.add(
            Event(
                campaign_id=campaign_id,
                event_id=fields["id"],
                type=fields["type"],
                openid=fields["openid"],
                ts_ms=int(fields["ts"]),
                data={k: v for k, v in fields.items() if k not in COMMON_FIELDS},
            )
        )
        written += 1
    return written


def ingest_batch(session: Session, redis, campaign_id: int, consumer: str, count: int = 500) -> int:
    """Ingest up to ``count`` new entries of one campaign; return how many rows were written."""
    stream = CampaignKeys(campaign_id).events
    ensure_group(redis, stream)
    reply = redis.xreadgroup(INGEST_GROUP, consumer, {stream: ">"}, count=count)
    entries = reply[0][1] if reply else []
    if not entries:
        return 0
    written = _write(session, campaign_id, entries)
    record_draws(session, campaign_id, [fields for _, fields in entries if fields["type"] == "draw"])
    session.commit()
    redis.xack(stream, INGEST_GROUP, *[entry_id for entry_id, _ in entries])
    return written
