"""The recorder: each campaign's Redis Stream written into SQL, exactly once in effect.

It is the writer of the event table and of the draw ledger (``draws.ledger.record_draws``,
which also marks each won coupon issued and registers the player), for every reader after it:
the metrics, the exports, the verifier, the coupon services.

Entries are read in batches through the ``ingest`` consumer group. A batch is written
with ``INSERT .. ON CONFLICT DO NOTHING`` on the unique ``(campaign, event_id)`` and
handed to the draw ledger (idempotent by ``seq``), committed, and only then
acknowledged. A consumer that dies between reading and acknowledging leaves its
entries pending; any other consumer claims them with ``XAUTOCLAIM`` once they have
been idle long enough, and writing them again writes nothing twice.

After each acknowledged batch the stream is trimmed (``XTRIM MINID``) of entries that
are safely in SQL and older than the retention window: never past the group's oldest
pending entry nor its last-delivered id, and never newer than the window, measured on
the stream ids, which are the Redis server's time of the append. The window keeps the
recent entries that the draw and coupon services read before the worker catches up.
"""

from __future__ import annotations

import logging
import time

import redis as redis_lib
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from . import events
from .analytics.models import Event
from .draws.ledger import record_draws
from .keys import INGEST_GROUP, CampaignKeys, idempotency_field

log = logging.getLogger(__name__)

COMMON_FIELDS = ("id", "type", "campaign", "openid", "ts")
# Stream fields not kept in an event's data: the common ones and a draw's Idempotency-Key.
NOT_DATA = (*COMMON_FIELDS, "key")
BATCH = 500
# Stream entries read at a time when trimming.
TRIM_BATCH = 1000
INSERT_CHUNK = 1000
# Entries a consumer has held this long without acknowledging are taken as abandoned.
CLAIM_IDLE_MS = 60_000
# Acknowledged entries stay in the stream this long (STREAM_RETENTION_HOURS overrides it).
RETENTION_MS = 24 * 3_600_000
# The clock of the node holding the stream (keyed, so a cluster asks the right node): it stamps the ids.
STREAM_TIME = "return redis.call('TIME')"


def ensure_group(redis, stream: str) -> None:
    """Create the ingest consumer group (and the stream) if missing."""
    try:
        redis.xgroup_create(stream, INGEST_GROUP, id="0", mkstream=True)
    except redis_lib.ResponseError as exc:
        if "BUSYGROUP" not in str(exc):
            raise


def _insert(session: Session):
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(Event.__table__)


def event_row(campaign_id: int, fields: dict[str, str]) -> dict:
    """The ``event`` table row of one stream entry."""
    return {
        "campaign_id": campaign_id,
        "event_id": fields["id"],
        "type": fields["type"],
        "openid": fields["openid"],
        "ts_ms": int(fields["ts"]),
        "data": {k: v for k, v in fields.items() if k not in NOT_DATA},
    }


def write_entries(session: Session, campaign_id: int, entries: list[tuple[str, dict]]) -> int:
    """Write a batch of entries (skipping event ids already stored) and commit; return the rows written."""
    rows = list({fields["id"]: event_row(campaign_id, fields) for _, fields in entries}.values())
    draws = [fields for _, fields in entries if fields.get("type") == "draw"]
    for attempt in range(3):
        try:
            written = 0
            # Chunks keep each statement under SQLite's limit on bound parameters.
            for start in range(0, len(rows), INSERT_CHUNK):
                result = session.execute(
                    _insert(session)
                    .values(rows[start : start + INSERT_CHUNK])
                    .on_conflict_do_nothing(index_elements=["campaign_id", "event_id"])
                )
                written += max(result.rowcount, 0)
            record_draws(session, campaign_id, draws)
            session.commit()
            return written
        except IntegrityError:
            # Another consumer wrote the same draws between our check and our commit: look again.
            session.rollback()
            if attempt == 2:
                raise
    return 0


def _claim(redis, stream: str, consumer: str, count: int, idle_ms: int) -> list[tuple[str, dict]]:
    """Take over entries that other consumers left pending for ``idle_ms``; acknowledge trimmed ones."""
    reply = redis.xautoclaim(stream, INGEST_GROUP, consumer, idle_ms, "0-0", count=count)
    claimed = reply[1]
    # Redis 7 lists entries trimmed from the stream separately; Redis 6.2 returns them without fields.
    gone = list(reply[2]) if len(reply) > 2 else []
    gone += [entry_id for entry_id, fields in claimed if not fields]
    if gone:
        redis.xack(stream, INGEST_GROUP, *gone)
    return [(entry_id, fields) for entry_id, fields in claimed if fields]


def next_batch(redis, campaign_id: int, consumer: str, count: int, idle_ms: int) -> list[tuple[str, dict]]:
    """The next entries this consumer should write, as flat maps: abandoned ones first, then new ones."""
    stream = CampaignKeys(campaign_id).events
    claimed = _claim(redis, stream, consumer, count, idle_ms)
    if not claimed:
        reply = redis.xreadgroup(INGEST_GROUP, consumer, {stream: ">"}, count=count)
        claimed = reply[0][1] if reply else []
    return events.read(claimed, campaign_id)


def retention_ms(settings: dict) -> int:
    """The retention window of the settings (``STREAM_RETENTION_HOURS``), in ms."""
    hours = settings.get("STREAM_RETENTION_HOURS")
    return RETENTION_MS if hours is None else hours * 3_600_000


def _stream_id(entry_id: str) -> tuple[int, int]:
    ms, _, seq = entry_id.partition("-")
    return int(ms), int(seq or 0)


def trim_threshold(redis, stream: str, retention_ms: int) -> str:
    """The oldest id the stream must keep: entries before it are in SQL and older than ``retention_ms``."""
    seconds, micros = (int(part) for part in redis.eval(STREAM_TIME, 1, stream))
    keep = [(seconds * 1000 + micros // 1000 - retention_ms, 0)]
    # Last-delivered before the pending list: an entry delivered by then is either still pending or acknowledged.
    group = next(g for g in redis.xinfo_groups(stream) if g["name"] == INGEST_GROUP)
    keep.append(_stream_id(group["last-delivered-id"]))
    summary = redis.xpending(stream, INGEST_GROUP)
    if summary["pending"]:
        keep.append(_stream_id(summary["min"]))
    ms, seq = min(keep)
    return f"{max(ms, 0)}-{seq}"


def trim_ingested(redis, campaign_id: int, retention_ms: int = RETENTION_MS) -> int:
    """Trim the entries that are acknowledged and older than the retention window; return how many went.

    A draw's stored result for its Idempotency-Key goes with its entry (first, so a crash
    in between leaves only entries whose records are already gone, trimmed next time).
    """
    keys = CampaignKeys(campaign_id)
    threshold = trim_threshold(redis, keys.events, retention_ms)
    start = "-"
    while True:
        batch = redis.xrange(keys.events, min=start, max="(" + threshold, count=TRIM_BATCH)
        records = [
            idempotency_field(f["player"], f["key"])
            for _, f in events.read(batch, campaign_id)
            if f.get("type") == "draw" and f.get("key")
        ]
        if records:
            redis.hdel(keys.state, *records)
        if len(batch) < TRIM_BATCH:
            break
        start = "(" + batch[-1][0]
    return redis.xtrim(keys.events, minid=threshold, approximate=False)


def ingest_batch(
    session: Session,
    redis,
    campaign_id: int,
    consumer: str,
    count: int = BATCH,
    claim_idle_ms: int = CLAIM_IDLE_MS,
    retention_ms: int = RETENTION_MS,
) -> int:
    """Ingest one batch of a campaign's stream, then trim it; return the entries handled (0 when none are left)."""
    stream = CampaignKeys(campaign_id).events
    ensure_group(redis, stream)
    entries = next_batch(redis, campaign_id, consumer, count, claim_idle_ms)
    if not entries:
        return 0
    write_entries(session, campaign_id, entries)
    redis.xack(stream, INGEST_GROUP, *[entry_id for entry_id, _ in entries])
    trim_ingested(redis, campaign_id, retention_ms)
    return len(entries)


def ingest_campaign(
    session: Session,
    redis,
    campaign_id: int,
    consumer: str,
    *,
    claim_idle_ms: int = CLAIM_IDLE_MS,
    time_budget_s: float = 30.0,
    count: int = BATCH,
    retention_ms: int = RETENTION_MS,
) -> int:
    """Ingest batches until the stream has nothing left for us (or the time budget is spent); return entries handled."""
    deadline = time.monotonic() + time_budget_s
    total = 0
    while time.monotonic() < deadline:
        handled = ingest_batch(session, redis, campaign_id, consumer, count, claim_idle_ms, retention_ms)
        if not handled:
            break
        total += handled
    return total
