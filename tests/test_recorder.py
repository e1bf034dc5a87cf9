"""Ingestion is exactly once in effect: batches, re-delivery, abandoned entries, SIGKILL, several workers."""

import os
import signal
import subprocess
import sys
import time

from sqlalchemy import func, select, text

from campaigns import events, jobs, recorder
from campaigns.analytics.models import Event
from campaigns.draws.models import Draw
from campaigns.keys import INGEST_GROUP, CampaignKeys
from extensions import db
from tests.conftest import ROOT, child_env
from tests.factories import CampaignFactory
from tests.streams import append_draw

T0 = 1_795_000_000_000


def fill(redis, campaign_id: int, n: int, draws_every: int = 4) -> None:
    """Append ``n`` events, every ``draws_every``-th a draw with ledger fields."""
    recorder.ensure_group(redis, CampaignKeys(campaign_id).events)
    with redis.pipeline(transaction=False) as pipe:
        for i in range(n):
            if i % draws_every == 0:
                seq = i // draws_every + 1
                append_draw(pipe, campaign_id, seq, f"o{i % 50}", T0 + i, f"p{i % 50}", nonce=i)
            else:
                events.append(pipe, campaign_id, "visit", f"o{i % 50}", T0 + i)
        pipe.execute()


def counts(campaign_id: int) -> tuple[int, int, int]:
    db.session.expire_all()
    rows = db.session.scalar(select(func.count()).select_from(Event).where(Event.campaign_id == campaign_id))
    distinct = db.session.scalar(
        select(func.count(func.distinct(Event.event_id))).where(Event.campaign_id == campaign_id)
    )
    draws = db.session.scalar(select(func.count()).select_from(Draw).where(Draw.campaign_id == campaign_id))
    return rows, distinct, draws


def pending(redis, campaign_id: int) -> int:
    return redis.xpending(CampaignKeys(campaign_id).events, INGEST_GROUP)["pending"]


def new_campaign():
    campaign = CampaignFactory()
    db.session.commit()
    return campaign.id


def test_a_long_stream_is_ingested_in_batches(app, services):
    campaign_id = new_campaign()
    fill(services.redis, campaign_id, 1234)

    assert recorder.ingest_batch(db.session, services.redis, campaign_id, "c1") == recorder.BATCH
    assert recorder.ingest_campaign(db.session, services.redis, campaign_id, "c1") == 1234 - recorder.BATCH
    assert counts(campaign_id) == (1234, 1234, 309)
    assert pending(services.redis, campaign_id) == 0


def test_a_batch_delivered_again_after_its_commit_writes_nothing_twice(app, services):
    campaign_id = new_campaign()
    fill(services.redis, campaign_id, 600)
    recorder.ingest_campaign(db.session, services.redis, campaign_id, "c1")
    # As if the consumer had died after the commit but before XACK: every entry is delivered again.
    services.redis.xgroup_setid(CampaignKeys(campaign_id).events, INGEST_GROUP, "0")

    assert recorder.ingest_campaign(db.session, services.redis, campaign_id, "c2") == 600
    assert counts(campaign_id) == (600, 600, 150)


def test_entries_left_pending_by_a_dead_consumer_are_claimed(app, services):
    campaign_id = new_campaign()
    fill(services.redis, campaign_id, 300)
    stream = CampaignKeys(campaign_id).events
    services.redis.xreadgroup(INGEST_GROUP, "dead", {stream: ">"}, count=120)  # read, never written nor acknowledged

    recorder.ingest_campaign(db.session, services.redis, campaign_id, "alive", claim_idle_ms=60_000)
    assert counts(campaign_id)[0] == 180 and pending(services.redis, campaign_id) == 120

    time.sleep(0.05)
    recorder.ingest_campaign(db.session, services.redis, campaign_id, "alive", claim_idle_ms=20)
    assert counts(campaign_id) == (300, 300, 75)
    assert pending(services.redis, campaign_id) == 0


def start_worker(database_url, redis_server) -> subprocess.Popen:
    # Its own process group: RQ forks a work horse, and SIGKILL must take both.
    return subprocess.Popen(
        [sys.executable, "worker.py", "--burst"],
        cwd=ROOT,
        env=child_env(database_url, redis_server),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )


def hold_write_lock(app):
    """A connection that keeps the event table locked, so a worker stalls in the middle of its batch."""
    conn = db.engine.connect()
    if conn.dialect.name == "postgresql":
        conn.execute(text("BEGIN"))
        conn.execute(text("LOCK TABLE event IN ACCESS EXCLUSIVE MODE"))
    else:
        conn.exec_driver_sql("BEGIN IMMEDIATE")
    return conn


def wait_for(condition, timeout: float = 30) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def test_a_worker_killed_mid_batch_loses_and_duplicates_nothing(app, services, database_url, redis_server):
    campaign_id = new_campaign()
    fill(services.redis, campaign_id, 1500)
    lock = hold_write_lock(app)
    jobs.enqueue_ingest(services.queue, campaign_id)
    worker = start_worker(database_url, redis_server)
    try:
        # The worker has read a batch and is blocked writing it: kill it there.
        assert wait_for(lambda: pending(services.redis, campaign_id) > 0), "the worker never read a batch"
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(10)
    finally:
        lock.rollback()
        lock.close()
    assert worker.returncode == -signal.SIGKILL
    assert counts(campaign_id)[0] == 0 and pending(services.redis, campaign_id) == recorder.BATCH

    # Restarted: the new worker claims the dead consumer's batch and ingests the rest.
    time.sleep(0.05)
    jobs.enqueue_ingest(services.queue, campaign_id, claim_idle_ms=20)
    again = start_worker(database_url, redis_server)
    assert again.wait(60) == 0, again.stderr.read()
    assert counts(campaign_id) == (1500, 1500, 375)
    assert pending(services.redis, campaign_id) == 0


def test_several_workers_at_once_never_double_count(app, services, database_url, redis_server):
    campaign_id = new_campaign()
    fill(services.redis, campaign_id, 3000)
    for _ in range(6):
        jobs.enqueue_ingest(services.queue, campaign_id, claim_idle_ms=0)
    workers = [start_worker(database_url, redis_server) for _ in range(3)]
    for worker in workers:
        assert worker.wait(90) == 0, worker.stderr.read()

    assert counts(campaign_id) == (3000, 3000, 750)
    assert pending(services.redis, campaign_id) == 0
