"""RQ job functions. They take ids, never ORM objects, and are enqueued only from ``jobs``."""
from __future__ import annotations

import logging
import os
import socket

from sqlalchemy import select

from . import runtime
from .analytics.ingest import ingest_batch
from .catalog.models import Campaign
from .keys import HEARTBEAT

log = logging.getLogger(__name__)


def consumer_name() -> str:
    """This process's name in the ingest consumer group."""
    return f"{socket.gethostname()}:{os.getpid()}"


def ingest_campaign(campaign_id: int) -> int:
    """Ingest every pending event of one campaign; return the rows written."""
    rt = runtime.current()
    total = 0
    with rt.session_factory() as session:
        while written := ingest_batch(session, rt.redis, campaign_id, consumer_name()):
            total += written
    log.info("ingested", extra={"campaign_id": campaign_id, "rows": total})
    return total


def ingest_all() -> int:
    """Ingest the events of every published campaign."""
    rt = runtime.current()
    with rt.session_factory() as session:
        ids = session.scalars(select(Campaign.id).where(Campaign.published_at.is_not(None))).all()
    return sum(ingest_campaign(campaign_id) for campaign_id in ids)


def heartbeat() -> str:
    """Record that a worker ran a job; the health check reads it."""
    rt = runtime.current()
    stamp = rt.clock.now().isoformat()
    rt.redis.set(HEARTBEAT, stamp, ex=3600)
    return stamp
