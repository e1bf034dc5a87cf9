"""worker.py runs a real job end to end: stream events land in SQL exactly once; it stops when asked."""

import signal
import subprocess
import sys
import time

from sqlalchemy import func, select

from campaigns import events, jobs
from campaigns.analytics.models import Event
from campaigns.keys import CampaignKeys
from extensions import db
from tests.conftest import ROOT, child_env
from tests.factories import CampaignFactory


def run_worker_burst(database_url, redis_server):
    return subprocess.run(
        [sys.executable, "worker.py", "--burst"],
        cwd=ROOT,
        env=child_env(database_url, redis_server),
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_an_enqueued_ingest_job_moves_stream_events_into_sql(app, services, database_url, redis_server):
    campaign = CampaignFactory()
    db.session.commit()
    for n in range(3):
        events.append(services.redis, campaign.id, "visit", f"openid-{n}", 1_795_000_000_000 + n)
    jobs.enqueue_ingest(services.queue, campaign.id)

    done = run_worker_burst(database_url, redis_server)

    assert done.returncode == 0, done.stderr
    rows = db.session.scalars(select(Event).order_by(Event.ts_ms)).all()
    assert [(r.type, r.openid, r.ts_ms) for r in rows] == [
        ("visit", f"openid-{n}", 1_795_000_000_000 + n) for n in range(3)
    ]
    assert services.redis.xpending(CampaignKeys(campaign.id).events, "ingest")["pending"] == 0


def test_a_redelivered_event_is_written_once(app, services, database_url, redis_server):
    campaign = CampaignFactory()
    db.session.commit()
    events.append(services.redis, campaign.id, "visit", "o1", 1, event_id="same")
    events.append(services.redis, campaign.id, "visit", "o1", 1, event_id="same")
    jobs.enqueue_ingest(services.queue, campaign.id)

    assert run_worker_burst(database_url, redis_server).returncode == 0
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Event)) == 1


def test_the_worker_refuses_to_start_without_redis_in_one_sentence(database_url, redis_server, tmp_path):
    env = child_env(database_url, redis_server)
    env["REDIS_URL"] = f"unix://{tmp_path}/absent.sock"
    done = subprocess.run(
        [sys.executable, "worker.py", "--burst"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 2
    assert done.stderr.strip().startswith("error: REDIS_URL")
    assert "Traceback" not in done.stderr


def test_a_worker_asked_to_stop_stops_and_is_not_started_again(tmp_path):
    from rq import Worker

    from campaigns.redisconn import RedisServer, connect

    server = RedisServer(tmp_path / "redis").start()
    try:
        env = child_env(f"sqlite:///{tmp_path / 'empty.sqlite3'}", server)
        process = subprocess.Popen([sys.executable, "worker.py"], cwd=ROOT, env=env, stderr=subprocess.PIPE, text=True)
        redis = connect(server.url, decode=False)
        deadline = time.monotonic() + 60

        def listening():  # idle on the queue: RQ's signal handlers are in place
            return [w for w in Worker.all(connection=redis) if w.get_state() == "idle"]

        while not listening() and time.monotonic() < deadline and process.poll() is None:
            time.sleep(0.1)
        assert listening(), "the worker listens"
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=30)
        assert process.returncode == 0, stderr
        assert "starting again" not in stderr
        assert not Worker.all(connection=redis)
    finally:
        server.stop()
