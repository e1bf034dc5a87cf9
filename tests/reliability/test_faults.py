"""Faults in the middle of a burst, on the whole platform as separate processes (bench/stack.py).

Each test ends with the same after-checks as the burst benchmark: awarded within stock,
every coupon issued once, Redis == stream == SQL ledger, the verifier passes, and the
statistics count every draw. The stack uses its own SQLite database and Redis, so these
tests do not depend on the test database (the PostgreSQL leg of CI does not repeat them).
"""

from __future__ import annotations

import os
import signal
import sqlite3
import time

import pytest

from bench.stack import Stack
from campaigns.keys import CampaignKeys, campaign_tag

pytestmark = [pytest.mark.faults]


@pytest.fixture
def stack(tmp_path):
    with Stack(tmp_path / "stack", web_workers=2, rq_workers=2) as running:
        yield running


def _later(seconds: float, *actions):
    """A fault: sleep, then run each action (with the pauses given as numbers between them)."""

    def run():
        time.sleep(seconds)
        for action in actions:
            time.sleep(action) if isinstance(action, (int, float)) else action()

    return run


def _replays_unchanged(stack, sessions, answered) -> None:
    """The same Idempotency-Key again returns the very same draw."""
    for outcome in answered:
        again = stack.draw(sessions[outcome.follower], outcome.key)
        assert (again.code, again.body) == ("ok", outcome.body), outcome.key


def test_a_web_worker_killed_mid_burst_loses_no_answered_draw(stack):
    sessions = stack.log_in(16)
    victim = stack.web_worker_pids()[0]
    killed = []
    outcomes = stack.play(
        sessions,
        6,
        threads=16,
        during=_later(2, lambda: killed.append(time.monotonic()), lambda: os.kill(victim, signal.SIGKILL)),
    )
    assert victim not in stack.web_worker_pids() and len(stack.web_worker_pids()) == 2  # gunicorn replaced it
    answered = [o for o in outcomes if o.code == "ok"]
    assert [o for o in answered if o.at > killed[0]], "draws go on after the kill"
    assert not [o for o in outcomes if o.status >= 500 or o.code not in ("ok", "ConnectionError")]
    assert len({o.body["seq"] for o in answered}) == len(answered)
    after = stack.after_checks()
    assert after["draws"] >= len(answered)
    # Nothing answered vanished: each one is in the ledger and its key replays it unchanged.
    _replays_unchanged(stack, sessions, [o for o in answered if o.retried] + answered[-20:])
    assert stack.after_checks()["draws"] == after["draws"]


def test_redis_stopped_mid_burst_is_503_busy_then_recovers_with_no_drift(stack):
    sessions = stack.log_in(16)
    server = stack.redis_server
    outcomes = stack.play(sessions, 9, threads=16, during=_later(2, server.stop, 2.5, server.start))
    codes = {o.code for o in outcomes}
    busy = [o for o in outcomes if o.code == "busy"]
    assert busy and all(o.status == 503 for o in busy), codes
    assert codes <= {"ok", "busy"}, codes
    assert [o for o in outcomes if o.code == "ok" and o.at > busy[-1].at], "draws recover by themselves"
    stack.after_checks()


def test_a_worker_busy_when_redis_stops_starts_again_and_the_periodic_ingest_goes_on(stack):
    from rq import Queue
    from rq.job import JobStatus

    from campaigns.redisconn import connect

    queue = Queue("default", connection=connect(stack.redis_url, decode=False))
    job = queue.enqueue(time.sleep, 1)  # it ends while Redis is away: RQ's own loop gives up then
    deadline = time.monotonic() + 30
    while job.get_status() != JobStatus.STARTED and time.monotonic() < deadline:
        time.sleep(0.1)
    assert job.get_status() == JobStatus.STARTED
    stack.redis_server.stop()
    # Redis stays away until the worker has met the outage (its job ended meanwhile): a real process's wait.
    log = stack.directory / "rq.log"
    deadline = time.monotonic() + 30
    while b"worker starting again" not in log.read_bytes() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert b"worker starting again" in log.read_bytes()
    stack.redis_server.start()
    sessions = stack.log_in(8)
    stack.play(sessions, 2, threads=8)
    stack.after_checks()  # only the periodic ingest can have put these draws in the ledger
    assert all(worker.poll() is None for worker in stack.processes["rq"])
    assert b"worker starting again" in (stack.directory / "rq.log").read_bytes()


def test_lost_redis_data_is_rebuilt_from_sql_and_draws_go_on_without_overselling(stack):
    sessions = stack.log_in(16)
    stack.play(sessions, 4, threads=16)
    before = stack.after_checks()
    redis = stack.redis()
    lost = list(redis.scan_iter(f"c:{campaign_tag(stack.campaign['id'])}:*", count=1000))
    redis.delete(*lost)
    refused = stack.draw(sessions[0])
    assert (refused.status, refused.code) == (503, "busy")
    assert stack.flask("campaigns", "reconcile", "burst", check=False).returncode == 1
    repaired = stack.flask("campaigns", "reconcile", "burst", "--repair")
    assert '"problems": []' in repaired.stdout
    stack.play(sessions, 4, threads=16)
    after = stack.after_checks()
    assert after["draws"] > before["draws"]
    assert all(after["awarded"].get(tier, 0) >= count for tier, count in before["awarded"].items())


def test_draws_continue_while_the_database_is_locked_and_ingestion_catches_up(stack):
    sessions = stack.log_in(16)
    stack.play(sessions, 1, threads=16)  # every web worker has its campaign snapshot now
    database = stack.env["DATABASE_URL"].removeprefix("sqlite:///")
    holder = sqlite3.connect(database, timeout=10, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")  # nobody else can read or write the database now
    try:
        outcomes = stack.play(sessions, 6, threads=16)
        assert {o.code for o in outcomes} == {"ok"} and len(outcomes) > 50
        held = stack.redis().xlen(CampaignKeys(stack.campaign["id"]).events)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert held >= len(outcomes)  # the stream held every draw while SQL could not take them
    after = stack.after_checks()  # the worker ingests the backlog once the database is back
    assert after["draws"] > len(outcomes)
