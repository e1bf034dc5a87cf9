"""A worker killed mid-ingest: after a restart the SQL ledger is complete, with no duplicates."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

from sqlalchemy import func, select

from campaigns.coupons.models import CouponCode
from campaigns.draws import public
from campaigns.draws.models import Draw
from campaigns.recorder import ingest_campaign
from extensions import db

from .helpers import NOW, play, published_with_prizes

ROOT = Path(__file__).resolve().parents[2]


def test_worker_killed_between_commit_and_ack_leaves_no_gap_and_no_duplicate(services, redis_server, database_url):
    codes = [f"K{i}" for i in range(5)]
    campaign = published_with_prizes(
        db.session,
        services,
        prizes=[("gold", 1_000_000, 5, "all", "code")],
        fallback=("none", "x", 1),
        codes={"gold": codes},
    )
    for i in range(12):
        play(services, db.session, campaign, f"o{i}", f"crash-{i:04d}", at=NOW)
    url = database_url.replace("postgresql://", "postgresql+psycopg://", 1)
    crashed = subprocess.run(
        [sys.executable, "-m", "tests.draws.crash_worker", url, redis_server.url, str(campaign.id), "7"],
        cwd=ROOT,
        timeout=60,
    )
    assert crashed.returncode == -signal.SIGKILL
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Draw)) == 7
    session = services.session_factory()
    try:
        # The restarted worker claims what the dead one left pending, and reads the rest.
        ingest_campaign(session, services.redis, campaign.id, "restarted-worker", claim_idle_ms=0, time_budget_s=20)
    finally:
        session.close()
    db.session.expire_all()
    seqs = db.session.scalars(select(Draw.seq).where(Draw.campaign_id == campaign.id).order_by(Draw.seq)).all()
    assert seqs == list(range(1, 13))
    issued = db.session.scalars(select(CouponCode).where(CouponCode.state == "issued")).all()
    assert sorted(c.code for c in issued) == codes and len({c.draw_seq for c in issued}) == 5
    assert public.verify_campaign(db.session, campaign, services.secrets) == 12
