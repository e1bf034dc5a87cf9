"""The demo: its seed (one account, a live scratch card and a live lucky wheel, with prizes and codes), and its stop."""

from sqlalchemy import func, select

from campaigns.catalog.models import Campaign
from campaigns.coupons.models import CouponCode
from extensions import db


def test_seed_creates_two_live_campaigns_with_prizes_and_codes_and_can_run_twice(runner):
    first = runner.invoke(args=["demo", "seed"])
    second = runner.invoke(args=["demo", "seed"])

    assert first.exit_code == 0, first.output
    assert second.exit_code == 0, second.output
    assert "admin login: admin@demo.local / " in first.output
    campaigns = db.session.scalars(select(Campaign).order_by(Campaign.slug)).all()
    assert [(c.slug, c.game, c.status) for c in campaigns] == [
        ("scratch-demo", "scratch", "live"),
        ("wheel-demo", "wheel", "live"),
    ]
    for campaign in campaigns:
        assert sum(t.is_fallback for t in campaign.tiers) == 1
        # Every prize has a way to reach its winner: a claim kind, and a code per prize.
        assert all(t.coupon_kind != "none" for t in campaign.tiers if not t.is_fallback)
        assert {"code", "shipping", "red_packet"} <= {t.coupon_kind for t in campaign.tiers}
    claimed = sum(t.stock for c in campaigns for t in c.tiers if not t.is_fallback)
    assert db.session.scalar(select(func.count()).select_from(CouponCode)) == claimed


def test_a_stop_request_to_the_demo_stops_every_part(tmp_path):
    """``make run`` stopped by a signal other than Ctrl-C (kill, a supervisor, timeout) leaves nothing running."""
    import signal
    import subprocess
    import sys
    import time

    import requests

    from bench.draws import free_port
    from campaigns.redisconn import RedisServer
    from tests.conftest import ROOT, child_env

    server = RedisServer(tmp_path / "redis").start()
    web, sim = free_port(), free_port()
    demo = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "app", "demo", "up", "--port", str(web), "--sim-port", str(sim)],
        cwd=ROOT,
        env=child_env(f"sqlite:///{tmp_path / 'demo.sqlite3'}", server),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        for line in demo.stdout:
            if "The demo is up." in line:
                break
        assert requests.get(f"http://127.0.0.1:{web}/healthz", timeout=5).status_code == 200
        demo.send_signal(signal.SIGTERM)
        assert demo.wait(timeout=60) == 0
        time.sleep(0.5)
        for port in (web, sim):
            try:
                requests.get(f"http://127.0.0.1:{port}/", timeout=2)
                raise AssertionError(f"port {port} still answers")
            except requests.ConnectionError:
                pass
    finally:
        if demo.poll() is None:
            demo.kill()
        server.stop()
