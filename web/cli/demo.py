"""``flask demo up``: everything the demo needs, started together and stopped by Ctrl-C."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from flask_migrate import upgrade
from sqlalchemy import select

from campaigns import demo as demo_data
from campaigns.analytics import simulate, stats
from campaigns.catalog.models import OfficialAccount
from campaigns.clock import to_ms
from campaigns.draws.publish import end, publish
from campaigns.redisconn import RedisServer, server_binary
from campaigns.wechat import menu
from extensions import db
from web.services import services


@click.group()
def demo() -> None:
    """The demo: seed it, or run all of it."""


def publish_demo(campaigns) -> None:
    """Publish the demo campaigns (seed commitment, rules v1, Redis inventory); they start at once."""
    svc = services()
    for campaign in campaigns:
        if campaign.status == "draft":
            publish(db.session, svc.redis, campaign, clock=svc.clock, secrets=svc.secrets)


@demo.command("menu")
@with_appcontext
def menu_command() -> None:
    """Publish the demo account's menu to WeChat (the simulator, once it is up)."""
    svc = services()
    account = db.session.scalar(select(OfficialAccount).where(OfficialAccount.slug == demo_data.DEMO_ACCOUNT))
    menu.publish(db.session, svc, None, account, svc.clock.now())
    db.session.commit()
    click.echo("menu published")


def finish_demo(campaigns) -> None:
    """Give the finished demo campaign its 14 days through the real draw script, end it and reveal its seed."""
    svc = services()
    for campaign in campaigns:
        if campaign.slug != demo_data.FINISHED or campaign.status == "ended":
            continue
        db.session.commit()
        simulate.simulate_published(
            db.session,
            svc.redis,
            svc.secrets,
            svc.settings,
            campaign,
            demo_data.FINISHED_DAYS,
            demo_data.FINISHED_PLAYERS,
            to_ms(campaign.ends_at),
        )
        end(db.session, svc.redis, campaign, svc.clock)
        db.session.commit()
        stats.recompute(db.session, campaign.id, svc.clock.now())


@demo.command("seed")
@with_appcontext
def seed_command() -> None:
    """Create (or reuse) the demo account, campaigns and admin; print the admin login."""
    svc = services()
    campaigns = demo_data.seed(db.session, svc.secrets, svc.clock)
    db.session.flush()
    publish_demo(campaigns)
    finish_demo(campaigns)
    email, password = demo_data.reset_admin(db.session)
    db.session.commit()
    click.echo(f"admin login: {email} / {password}")


def stop_groups(children: list[subprocess.Popen], grace: float = 10) -> None:
    """SIGTERM each child's process group, wait for it, then SIGKILL whatever is left in the group.

    Children are started with ``start_new_session``, so the group holds what they started
    themselves (RQ's scheduler, gunicorn workers).
    """
    for child in children:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(child.pid, signal.SIGTERM)
    for child in children:
        with contextlib.suppress(subprocess.TimeoutExpired):
            child.wait(grace)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(child.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            child.wait(5)


def _spawn(name: str, argv: list[str], env: dict[str, str]) -> subprocess.Popen:
    click.echo(f"  starting {name}: {' '.join(argv)}")
    return subprocess.Popen(argv, env=env, start_new_session=True)


def _wait_for(url: str, children: list[subprocess.Popen], timeout: float = 60) -> None:
    """Wait until ``url`` answers, so the printed URLs work when they are printed."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and all(child.poll() is None for child in children):
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.3)
    click.echo(f"  warning: {url} is not answering yet", err=True)


@demo.command("up")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, help="The web app's port.")
@click.option("--sim-port", default=5001, show_default=True, help="The WeChat simulator's port.")
def up(host: str, port: int, sim_port: int) -> None:
    """Start Redis, migrate, seed, and run the web app, the worker and the WeChat simulator."""
    app = current_app._get_current_object()
    # A stop request (kill, a supervisor, `timeout`) stops everything as Ctrl-C does.
    signal.signal(signal.SIGTERM, _interrupt)
    redis_server = None
    children: list[subprocess.Popen] = []
    try:
        env = dict(os.environ)
        if not app.config["REDIS_URL"]:
            binary, source = server_binary()
            # Outside Ctrl-C's reach: it stops last, after everything that uses it (the finally below).
            redis_server = RedisServer(app.config["EMBEDDED_REDIS_DIR"]).start(own_session=True)
            env["REDIS_URL"] = redis_server.url
            click.echo(f"  redis: {redis_server.url} ({source}: {binary})")
        sim = f"http://{host}:{sim_port}"
        public = f"http://{host}:{port}"
        env.update(
            WECHAT_API_BASE=sim,
            WECHAT_OPEN_BASE=sim,
            WECHAT_MP_BASE=sim,
            WECHAT_PAY_BASE=sim,
            WECHAT_SIMULATOR="1",
            PUBLIC_URL=public,
        )
        Path(app.instance_path).mkdir(parents=True, exist_ok=True)
        with app.app_context():
            upgrade()
        py = sys.executable
        seed = subprocess.run(
            [py, "-m", "flask", "--app", "app", "demo", "seed"], env=env, capture_output=True, text=True, check=True
        )
        children.append(
            _spawn(
                "simulator", [py, "-m", "simulator", "--host", host, "--port", str(sim_port), "--app-url", public], env
            )
        )
        children.append(_spawn("worker", [py, "worker.py"], env))
        children.append(
            _spawn(
                "web",
                [
                    py,
                    "-m",
                    "gunicorn",
                    "--bind",
                    f"{host}:{port}",
                    "--workers",
                    "2",
                    "--threads",
                    "4",
                    "--worker-class",
                    "gthread",
                    "--graceful-timeout",
                    "5",
                    "app:create_app()",
                ],
                env,
            )
        )
        _serve(children, public, sim, seed.stdout.strip(), env)
    except KeyboardInterrupt:
        click.echo("\nstopping …")
    finally:
        # A second Ctrl-C must not cut the shutdown short and leave servers running.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        stop_groups(children)
        if redis_server:
            redis_server.stop()


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def _serve(children: list[subprocess.Popen], public: str, sim: str, seeded: str, env: dict[str, str]) -> None:
    """Publish the demo menu and print the URLs once they answer, then wait until a part stops (or Ctrl-C)."""
    for url in (f"{public}/healthz", f"{sim}/"):
        _wait_for(url, children)
    # The simulator starts empty, so the menu is published to it now.
    subprocess.run(
        [sys.executable, "-m", "flask", "--app", "app", "demo", "menu"], env=env, capture_output=True, check=False
    )
    click.echo(
        f"\nThe demo is up.\n"
        f"  scratch card:        {public}/c/scratch-demo/\n"
        f"  lucky wheel:         {public}/c/wheel-demo/\n"
        f"  lucky grid:          {public}/c/grid-demo/\n"
        f"  slot machine:        {public}/c/slot-demo/\n"
        f"  marketer console:    {public}/console/\n"
        f"  operator dashboard:  {public}/console/campaigns/{demo_data.FINISHED}/results (a finished campaign)\n"
        f"  WeChat simulator:    {sim}/\n"
        f"  a follower's phone:  {sim}/sim/phone?user=amy (scan scratch-demo:poster, send 抽奖, tap the menu)\n"
        f"  console {seeded}\n"
        f"Ctrl-C stops everything.\n"
    )
    while all(child.poll() is None for child in children):
        time.sleep(0.5)
    click.echo("a part of the demo stopped; stopping the rest", err=True)
