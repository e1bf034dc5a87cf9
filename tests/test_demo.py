"""The demo: its seed (one account, a live scratch card and a live lucky wheel, with prizes and codes), and its stop."""

from sqlalchemy import func, select

from campaigns.catalog.models import Campaign
from campaigns.coupons.models import CouponCode
from extensions import db


def test_seed_creates_a_live_campaign_of_each_game_and_a_finished_one_with_prizes_and_codes_and_can_run_twice(runner):
    first = runner.invoke(args=["demo", "seed"])
    second = runner.invoke(args=["demo", "seed"])

    assert first.exit_code == 0, first.output
    assert second.exit_code == 0, second.output
    assert "admin login: admin@demo.local / " in first.output
    campaigns = db.session.scalars(select(Campaign).order_by(Campaign.slug)).all()
    assert [(c.slug, c.game, c.status) for c in campaigns] == [
        ("autumn-demo", "scratch", "ended"),
        ("grid-demo", "grid", "live"),
        ("scratch-demo", "scratch", "live"),
        ("slot-demo", "slot", "live"),
        ("wheel-demo", "wheel", "live"),
    ]
    assert [c.slug for c in campaigns if c.look.get("winners")] == ["grid-demo", "slot-demo"]
    for campaign in campaigns:
        assert sum(t.is_fallback for t in campaign.tiers) == 1
    coded = sum(t.stock for c in campaigns for t in c.tiers if t.coupon_kind == "code")
    assert db.session.scalar(select(func.count()).select_from(CouponCode)) == coded


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


def test_the_finished_demo_campaign_has_14_days_of_real_draws_that_verify_and_reconcile(runner):
    import json

    from campaigns.analytics.stats import results
    from campaigns.draws.models import Draw

    assert runner.invoke(args=["demo", "seed"]).exit_code == 0
    campaign = db.session.scalar(select(Campaign).where(Campaign.slug == "autumn-demo"))
    assert campaign.revealed_at is not None
    draws = db.session.scalar(select(func.count()).select_from(Draw).where(Draw.campaign_id == campaign.id))
    assert draws > 1000

    verify = runner.invoke(args=["campaigns", "verify", "autumn-demo"])
    reconcile = runner.invoke(args=["campaigns", "reconcile", "autumn-demo"])
    assert verify.exit_code == 0, verify.output
    assert reconcile.exit_code == 0, reconcile.output

    rows = results(db.session, campaign, campaign.ends_at).rows
    assert len([r for r in rows if r["plays"]]) >= 13
    document = json.loads(runner.invoke(args=["campaigns", "channels", "autumn-demo", "--json", "--stored"]).output)
    by_name = {c["channel"]: c for c in document["channels"]}
    assert by_name["海报"]["players"] > 0 and by_name["桌牌"]["players"] > 0 and by_name["share"]["players"] > 0
    assert sum(c["plays"] for c in document["channels"]) == draws
    # The simulated redemptions are redemptions in SQL too: such a coupon cannot be redeemed again.
    redeemed = db.session.scalar(
        select(func.count())
        .select_from(CouponCode)
        .where(CouponCode.state == "redeemed", CouponCode.tier_id.in_([t.id for t in campaign.tiers]))
    )
    assert redeemed == sum(c["redeemed"] for c in document["channels"]) > 0


def test_ctrl_c_stops_the_demo_without_a_traceback(tmp_path):
    """A terminal's Ctrl-C reaches the demo's whole process group: Redis must outlive the worker and scheduler.

    It used to stop the embedded Redis at once, before RQ's scheduler, which logged tracebacks.
    """
    import os
    import shutil
    import signal
    import subprocess
    import sys
    import tempfile
    import time

    from bench.draws import free_port
    from tests.conftest import ROOT

    # A short directory: a unix socket's path is limited to about 100 bytes.
    redis_dir = tempfile.mkdtemp(prefix="demo-redis-", dir="/tmp")
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    env.update(APP_ENV="test", DATABASE_URL=f"sqlite:///{tmp_path / 'demo.sqlite3'}", LOG_LEVEL="INFO")
    web, sim = free_port(), free_port()
    command = ["demo", "up", "--port", str(web), "--sim-port", str(sim)]
    app_spec = f"app:create_app({{'EMBEDDED_REDIS_DIR': {redis_dir!r}}})"
    output = tmp_path / "demo.log"
    with output.open("w") as log:
        # Its own session, as a shell runs a foreground job: the signal goes to the group, as Ctrl-C does.
        demo = subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", app_spec, *command],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 120
        while "The demo is up." not in output.read_text() and time.monotonic() < deadline and demo.poll() is None:
            time.sleep(0.3)
        assert "The demo is up." in output.read_text(), output.read_text()[-3000:]
        time.sleep(3)  # the worker's scheduler is running and holding its locks
        os.killpg(demo.pid, signal.SIGINT)
        assert demo.wait(timeout=90) == 0
    finally:
        if demo.poll() is None:
            os.killpg(demo.pid, signal.SIGKILL)
        shutil.rmtree(redis_dir, ignore_errors=True)
    text = output.read_text()
    assert "stopping" in text
    assert "Traceback" not in text, text[-3000:]
    assert '"level": "error"' not in text, text[-3000:]
