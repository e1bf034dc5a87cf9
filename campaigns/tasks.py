"""RQ job functions. They take ids, never ORM objects, and are enqueued only from ``jobs``."""

from __future__ import annotations

import functools
import logging
import os
import socket
from collections.abc import Callable
from datetime import timedelta
from typing import TypeVar

from sqlalchemy import select

from . import recorder, runtime
from .analytics import stats
from .analytics.days import ATTRIBUTION_DAYS
from .catalog.models import Campaign
from .draws import publish
from .keys import HEARTBEAT

log = logging.getLogger(__name__)

T = TypeVar("T")

# Campaigns stay in the periodic jobs this long after their tail ends, so they get one last pass.
LAST_PASS = timedelta(minutes=5)


def rearms(job: Callable[[], T]) -> Callable[[], T]:
    """A periodic job that, however it ends, makes sure every periodic job stays scheduled."""

    @functools.wraps(job)
    def run() -> T:
        try:
            return job()
        finally:
            _rearm()

    return run


def consumer_name() -> str:
    """This process's name in the ingest consumer group."""
    return f"{socket.gethostname()}:{os.getpid()}"


def ingest_campaign(campaign_id: int, claim_idle_ms: int = recorder.CLAIM_IDLE_MS) -> int:
    """Ingest every pending event of one campaign; return the entries handled."""
    rt = runtime.current()
    with rt.session_factory() as session:
        total = recorder.ingest_campaign(
            session,
            rt.redis,
            campaign_id,
            consumer_name(),
            claim_idle_ms=claim_idle_ms,
            retention_ms=recorder.retention_ms(rt.settings),
        )
    log.info("ingested", extra={"campaign_id": campaign_id, "entries": total})
    return total


def active_campaign_ids() -> list[int]:
    """Published campaigns that have started and whose unfollow tail (plus a last pass) is not over."""
    rt = runtime.current()
    now = rt.clock.now()
    with rt.session_factory() as session:
        query = select(Campaign.id).where(
            Campaign.published_at.is_not(None),
            Campaign.starts_at <= now,
            Campaign.ends_at >= now - timedelta(days=ATTRIBUTION_DAYS) - LAST_PASS,
        )
        return list(session.scalars(query.order_by(Campaign.id)))


@rearms
def ingest_all() -> int:
    """Ingest the events of every active campaign."""
    return sum(ingest_campaign(campaign_id) for campaign_id in active_campaign_ids())


def recompute_campaign(campaign_id: int) -> int:
    """Ingest one campaign's pending events, then recompute its daily statistics; return the rows."""
    ingest_campaign(campaign_id)
    rt = runtime.current()
    with rt.session_factory() as session:
        return stats.recompute(session, campaign_id, rt.clock.now())


@rearms
def recompute_active() -> int:
    """Recompute the statistics of every active campaign (live, paused, or in its unfollow tail)."""
    return sum(recompute_campaign(campaign_id) for campaign_id in active_campaign_ids())


@rearms
def go_live_due() -> int:
    """Mark scheduled campaigns whose start has passed as live (the pages read this status)."""
    rt = runtime.current()
    with rt.session_factory() as session:
        count = publish.go_live_due(session, rt.clock)
        session.commit()
    return count


def _pay_context(session):
    from .coupons.payouts import PayContext

    rt = runtime.current()
    return PayContext(session, rt.redis, rt.clock, rt.secrets, rt.settings)


@rearms
def pay_due_red_packets() -> int:
    """Enqueue the payout of every red packet won and in the ledger, or due for a retry; return how many."""
    from . import jobs
    from .coupons.models import RedPacket
    from .coupons.payouts import due

    rt = runtime.current()
    with rt.session_factory() as session:
        ids = due(_pay_context(session))
        attempts = dict(
            session.query(RedPacket.coupon_id, RedPacket.attempts).filter(RedPacket.coupon_id.in_(ids)).all()
        )
    for coupon_id in ids:
        jobs.enqueue_payout(rt.queue, coupon_id, attempts.get(coupon_id, 0))
    return len(ids)


def pay_red_packet(coupon_id: int) -> str | None:
    """Send one won red packet (once, whoever else runs this job); return its status."""
    from .coupons.payouts import pay

    with runtime.current().session_factory() as session:
        packet = pay(_pay_context(session), coupon_id)
        return packet.status if packet else None


@rearms
def reconcile_red_packets() -> int:
    """Read every sent red packet's status from WeChat Pay (gethbinfo); return how many changed."""
    from .coupons.payouts import reconcile

    with runtime.current().session_factory() as session:
        return reconcile(_pay_context(session))


@rearms
def erase_addresses() -> int:
    """Erase the shipping addresses of campaigns that ended ``ADDRESS_RETENTION_DAYS`` ago (default 90)."""
    from .coupons.shipping import RETENTION_DAYS, erase_due

    rt = runtime.current()
    days = int(rt.settings.get("ADDRESS_RETENTION_DAYS", RETENTION_DAYS))
    with rt.session_factory() as session:
        return erase_due(session, rt.clock, days)


@rearms
def expire_coupons() -> int:
    """Record as expired every unused coupon past its validity (states are also computed on read)."""
    from .coupons.services import expire_due

    rt = runtime.current()
    with rt.session_factory() as session:
        return expire_due(rt.context(session))


@rearms
def send_notices() -> int:
    """Send the due service notices of every published campaign that has them on; return how many were sent."""
    from .wechat.models import CampaignNotices
    from .wechat.notices import StopSending, send_due

    rt = runtime.current()
    sent = 0
    with rt.session_factory() as session:
        on = select(CampaignNotices.campaign_id).where(CampaignNotices.enabled.is_(True))
        for campaign in session.scalars(
            select(Campaign).where(Campaign.id.in_(on), Campaign.published_at.is_not(None))
        ):
            try:
                sent += send_due(session, rt, campaign, rt.clock.now())["sent"]
            except StopSending as exc:
                log.warning(
                    "notices stopped until the next run", extra={"campaign_id": campaign.id, "reason": str(exc)}
                )
                break
    return sent


def heartbeat() -> str:
    """Record that a worker ran a job; the health check reads it."""
    rt = runtime.current()
    stamp = rt.clock.now().isoformat()
    rt.redis.set(HEARTBEAT, stamp, ex=3600)
    _rearm()
    return stamp


def _rearm() -> None:
    """Schedule the next run of every periodic job (harmless when already scheduled)."""
    from . import jobs  # jobs imports this module to name the functions

    rt = runtime.current()
    if rt.queue is not None:
        jobs.schedule_periodic(rt.queue)
