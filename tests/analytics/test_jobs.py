"""Periodic jobs: deterministic ids on RQ's scheduler, harmless to schedule twice, and really run by a worker."""

import os
import signal
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest
from rq.registry import ScheduledJobRegistry
from sqlalchemy import func, select

from campaigns import events, jobs, tasks
from campaigns.analytics.models import DailyStat, Event
from extensions import db
from tests.conftest import ROOT, child_env
from tests.factories import CampaignFactory
from tests.streams import append_draw
from tests.test_recorder import wait_for

AT = datetime(2026, 11, 23, 10, 0, 2, tzinfo=UTC)


def test_scheduling_the_periodic_jobs_twice_schedules_them_once(app, services):
    first = jobs.schedule_periodic(services.queue, AT)
    again = jobs.schedule_periodic(services.queue, AT + timedelta(seconds=1))

    seconds = int(AT.timestamp())
    assert sorted(first) == [
        f"periodic-erase-addresses-{seconds // 3600 + 1}",
        f"periodic-expire-coupons-{seconds // 300 + 1}",
        f"periodic-go-live-{seconds // 10 + 1}",
        f"periodic-heartbeat-{seconds // 30 + 1}",
        f"periodic-ingest-{seconds // 5 + 1}",
        f"periodic-notices-{seconds // 60 + 1}",
        f"periodic-pay-red-packets-{seconds // 10 + 1}",
        f"periodic-reconcile-red-packets-{seconds // 60 + 1}",
        f"periodic-stats-{seconds // 60 + 1}",
    ]
    assert again == []
    assert len(ScheduledJobRegistry(queue=services.queue)) == 9


def test_the_next_slot_gets_its_own_run(app, services):
    jobs.schedule_periodic(services.queue, AT)
    later = jobs.schedule_periodic(services.queue, AT + timedelta(seconds=5))
    assert later == [f"periodic-ingest-{int(AT.timestamp()) // 5 + 2}"]


def live_campaign(services):
    now = services.clock.now()
    campaign = CampaignFactory(
        status="live", published_at=now, starts_at=now - timedelta(hours=1), ends_at=now + timedelta(days=1)
    )
    db.session.commit()
    return campaign.id


def test_a_running_worker_ingests_on_its_own_schedule(app, services, database_url, redis_server):
    campaign_id = live_campaign(services)
    now_ms = int(services.clock.now().timestamp() * 1000)
    for n in range(5):
        events.append(services.redis, campaign_id, "visit", f"o{n}", now_ms + n)
    worker = subprocess.Popen(
        [sys.executable, "worker.py"],
        cwd=ROOT,
        env=child_env(database_url, redis_server),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )

    def ingested() -> bool:
        db.session.expire_all()
        return db.session.scalar(select(func.count()).select_from(Event)) == 5

    try:
        assert wait_for(ingested, timeout=30), "the periodic ingest job never ran"
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(15)


def test_the_statistics_job_ingests_and_recomputes_every_active_campaign(app, services):
    campaign_id = live_campaign(services)
    ended_long_ago = CampaignFactory(
        published_at=datetime(2026, 1, 1, tzinfo=UTC),
        starts_at=datetime(2026, 1, 1, tzinfo=UTC),
        ends_at=datetime(2026, 1, 10, tzinfo=UTC),
    )
    db.session.commit()
    append_draw(services.redis, campaign_id, 1, "o1", int(services.clock.now().timestamp() * 1000), "p1", nonce=0)

    assert tasks.active_campaign_ids() == [campaign_id]
    tasks.recompute_active()

    db.session.expire_all()
    rows = db.session.scalars(select(DailyStat).where(DailyStat.campaign_id == campaign_id)).all()
    assert sum(row.values["plays"] for row in rows) == 1
    assert (
        db.session.scalar(select(func.count()).select_from(DailyStat).where(DailyStat.campaign_id == ended_long_ago.id))
        == 0
    )


@pytest.mark.clock
def test_a_scheduled_campaign_whose_start_has_passed_goes_live(app, services, clock):
    due = CampaignFactory(status="scheduled", starts_at=clock.now() - timedelta(seconds=1))
    later = CampaignFactory(status="scheduled", starts_at=clock.now() + timedelta(hours=1))
    db.session.commit()

    assert tasks.go_live_due() == 1

    db.session.expire_all()
    assert (due.status, later.status) == ("live", "scheduled")
