"""The whole platform as separate processes on loopback, for the burst benchmark and the fault tests.

``Stack`` starts a real Redis (AOF on), the WeChat simulator, gunicorn with several
worker processes and RQ workers, each in its own process group; it publishes one
campaign with platform-code prizes (in a child process, so the caller's environment
stays untouched), logs followers in through the simulator's OAuth, lets them play,
and runs the after-checks every run must pass: awarded per tier within stock, every
coupon code issued once, Redis == stream == SQL ledger (``flask campaigns
reconcile``), ``flask campaigns verify``, and the statistics' play count equal to the
ledger. Every loop is bounded in time; every address is on 127.0.0.1.
"""

from __future__ import annotations

import contextlib
import json
import multiprocessing
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from campaigns.draws import inventory  # noqa: E402
from campaigns.redisconn import RedisServer, connect, server_binary  # noqa: E402
from tests.wechat.helpers import login_through_simulator  # noqa: E402
from web.cli.demo import stop_groups  # noqa: E402

SLUG = "burst"
# tier, weight, stock (None = fallback), coupon
PRIZES = (("gold", 2, 50, "code"), ("silver", 10, 400, "code"), ("thanks", 88, None, "none"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _free(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _cluster_port() -> int:
    """A free port below 55536 whose cluster bus port (+10000) is free too."""
    for _ in range(200):
        port = random.randint(20000, 45000)
        if _free(port) and _free(port + 10000):
            return port
    raise RuntimeError("no free port pair for a cluster node")


def start_cluster(directory: Path, masters: int = 3, **config: str) -> tuple[list[RedisServer], str]:
    """Masters on loopback joined by ``redis-cli --cluster create``; the nodes and a cluster URL."""
    nodes: list[RedisServer] = []
    try:
        for i in range(masters):
            node = RedisServer(
                directory / f"node{i}",
                port=_cluster_port(),
                unixsocket=False,
                cluster_enabled="yes",
                cluster_config_file="nodes.conf",
                cluster_node_timeout="2000",
                **config,
            )
            nodes.append(node.start())
        cli = os.path.join(os.path.dirname(server_binary()[0]), "redis-cli")
        subprocess.run(
            [
                cli,
                "--cluster",
                "create",
                *[f"127.0.0.1:{n.port}" for n in nodes],
                "--cluster-replicas",
                "0",
                "--cluster-yes",
            ],
            check=True,
            capture_output=True,
            timeout=30,
        )
        deadline = time.monotonic() + 15
        while connect(nodes[0].url).cluster("info").get("cluster_state") != "ok":
            if time.monotonic() > deadline:
                raise RuntimeError("the cluster did not become ready")
            time.sleep(0.1)
    except BaseException:
        for node in nodes:
            node.stop()
        raise
    return nodes, f"redis+cluster://127.0.0.1:{nodes[0].port}"


@dataclass
class Outcome:
    """What one draw request got back."""

    status: int
    code: str  # "ok", the error code, or the transport failure's name
    ms: float
    key: str
    body: dict | None = None
    retried: bool = False
    follower: int = -1  # index of the follower session that made it
    at: float = 0.0  # monotonic time the request was sent
    kind: str = "draw"  # or "page", "me", "wx-config": the requests of a page open


@dataclass
class Stack:
    directory: Path
    web_workers: int = 3
    rq_workers: int = 2
    appendfsync: str = "everysec"
    min_interval_ms: int = 0
    database_url: str | None = None
    redis_url: str | None = None  # an already running Redis (a cluster) instead of starting one
    extra_env: dict[str, str] = field(default_factory=dict)
    processes: dict[str, list[subprocess.Popen]] = field(default_factory=dict)

    # -- start and stop -------------------------------------------------------------------------

    def __enter__(self) -> Stack:
        self.directory.mkdir(parents=True, exist_ok=True)
        self.redis_server = None
        if not self.redis_url:
            self.redis_server = RedisServer(
                self.directory / "redis", port=free_port(), unixsocket=False, appendfsync=self.appendfsync
            ).start()
            self.redis_url = self.redis_server.url
        self.web_port, self.sim_port = free_port(), free_port()
        self.url = f"http://127.0.0.1:{self.web_port}"
        self.sim_url = f"http://127.0.0.1:{self.sim_port}"
        self.env = dict(
            os.environ,
            APP_ENV="test",
            LOG_LEVEL="WARNING",
            SECRET_KEY="stack-secret-key-0123456789",
            REDIS_URL=self.redis_url,
            DATABASE_URL=self.database_url or f"sqlite:///{self.directory / 'stack.sqlite3'}",
            WECHAT_API_BASE=self.sim_url,
            WECHAT_OPEN_BASE=self.sim_url,
            WECHAT_MP_BASE=self.sim_url,
            WECHAT_SIMULATOR="1",
            PUBLIC_URL=self.url,
            DRAW_IP_LIMIT="0",
            PYTHONPATH=str(ROOT),
        )
        self.env.update(self.extra_env)
        try:
            self.flask("db", "upgrade")
            self.campaign = json.loads(
                self.python(f"from bench.stack import _prepare; _prepare({self.min_interval_ms})")
            )
            self._spawn(
                "simulator", [sys.executable, "-m", "simulator", "--port", str(self.sim_port), "--app-url", self.url]
            )
            self.start_web()
            for _ in range(self.rq_workers):
                self.start_rq_worker()
            self.wait_http(f"{self.sim_url}/")
            self.wait_rq_workers(self.rq_workers)
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def __exit__(self, *exc) -> None:
        stop_groups([process for group in self.processes.values() for process in group])
        self.processes.clear()
        if self.redis_server:
            self.redis_server.stop()

    def _spawn(self, name: str, argv: list[str]) -> subprocess.Popen:
        log = open(self.directory / f"{name}.log", "ab")
        process = subprocess.Popen(argv, cwd=ROOT, env=self.env, stdout=log, stderr=log, start_new_session=True)
        self.processes.setdefault(name, []).append(process)
        return process

    def start_web(self) -> None:
        self._spawn(
            "web",
            [
                sys.executable,
                "-m",
                "gunicorn",
                "--bind",
                f"127.0.0.1:{self.web_port}",
                "--workers",
                str(self.web_workers),
                "--threads",
                "4",
                "--worker-class",
                "gthread",
                "--graceful-timeout",
                "5",
                "app:create_app()",
            ],
        )
        self.wait_http(f"{self.url}/healthz")

    def start_rq_worker(self) -> subprocess.Popen:
        return self._spawn("rq", [sys.executable, "worker.py"])

    def wait_rq_workers(self, count: int, timeout: float = 60) -> None:
        """Wait until ``count`` RQ workers listen and one of them runs the scheduler (so faults hit running workers)."""
        from rq import Worker
        from rq.scheduler import RQScheduler

        redis = connect(self.env.get("RQ_REDIS_URL") or self.redis_url, decode=False)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if len(Worker.all(connection=redis)) >= count and redis.exists(RQScheduler.get_locking_key("default")):
                return
            if any(p.poll() is not None for p in self.processes.get("rq", [])):
                raise RuntimeError(f"an RQ worker exited; see {self.directory / 'rq.log'}")
            time.sleep(0.2)
        raise RuntimeError(f"{count} RQ workers did not start; see {self.directory / 'rq.log'}")

    def web_worker_pids(self) -> list[int]:
        """The gunicorn master's worker processes."""
        master = self.processes["web"][-1].pid
        children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
        return [int(pid) for pid in children]

    def wait_http(self, url: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with contextlib.suppress(requests.RequestException):
                if requests.get(url, timeout=2).status_code < 500:
                    return
            time.sleep(0.2)
        raise RuntimeError(f"{url} did not answer; see the logs in {self.directory}")

    # -- commands -------------------------------------------------------------------------------

    def flask(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        """``flask --app app ARGS`` against this stack's database and Redis."""
        done = subprocess.run(
            [sys.executable, "-m", "flask", "--app", "app", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        if check and done.returncode != 0:
            raise RuntimeError(f"flask {' '.join(args)} exited {done.returncode}: {done.stdout}{done.stderr}")
        return done

    def python(self, code: str) -> str:
        done = subprocess.run(
            [sys.executable, "-c", code],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=300,
            check=True,
        )
        return done.stdout.strip().splitlines()[-1]

    def redis(self):
        return connect(self.redis_url)

    # -- followers ------------------------------------------------------------------------------

    def log_in(self, count: int, threads: int = 16) -> list[requests.Session]:
        """``count`` followers logged in through the simulator's OAuth (real redirects, real callback)."""
        sessions: list[requests.Session | None] = [None] * count

        def one(i: int) -> None:
            session = requests.Session()
            login_through_simulator(session, self.url, SLUG, f"burst-{i:05d}")
            if not any(c.name == "session" for c in session.cookies):
                raise RuntimeError(f"follower {i} was not logged in")
            sessions[i] = session

        _in_threads(one, range(count), threads)
        return [s for s in sessions if s is not None]

    def draw(self, session: requests.Session, key: str | None = None, retry: bool = True) -> Outcome:
        """One draw request (see :func:`draw_once`)."""
        return draw_once(self.url, session, key, retry)

    def play(self, sessions: list[requests.Session], seconds: float, threads: int = 32, during=None) -> list[Outcome]:
        """Every thread plays with its share of the followers as fast as answers come, for ``seconds``.

        ``during`` (if given) runs in its own thread once the play has started: the fault.
        """
        fault = threading.Thread(target=during) if during else None
        if fault:
            fault.start()
        outcomes = _play_threads(self.url, dict(enumerate(sessions)), seconds, threads)
        if fault:
            fault.join()
        return outcomes

    def play_from_processes(
        self,
        sessions: list[requests.Session],
        seconds: float,
        processes: int = 2,
        threads: int = 16,
        plays_per_visit: int = 0,
    ) -> list[Outcome]:
        """:meth:`play` from several load processes (one Python process cannot keep a server busy).

        With ``plays_per_visit``, each follower in turn opens the game page as a phone does
        (the page, ``/me`` and ``wx-config``) and then plays that many times.
        """
        cookies = [s.cookies.get("session") for s in sessions]
        parts = [
            (self.url, list(range(p, len(cookies), processes)), cookies, seconds, threads, plays_per_visit)
            for p in range(processes)
        ]
        with multiprocessing.get_context("spawn").Pool(processes) as pool:
            return [o for part in pool.starmap(_play_part, parts) for o in part]

    def play_with_wrk(self, sessions: list[requests.Session], seconds: float, connections: int, plays_per_visit: int):
        """The same visits as :meth:`play_from_processes` driven by ``wrk`` (``bench/burst.lua``): its JSON line.

        ``wrk`` is a C load generator: the load costs the two cores little of what the
        platform needs, where Python load processes take about as much CPU as the server.
        """
        from bench.visit import wrk_binary

        cookies = self.directory / "burst-cookies.txt"
        cookies.write_text("".join(f"{s.cookies.get('session')}\n" for s in sessions))
        page = f"{self.url}/c/{SLUG}/"
        command = [wrk_binary(), "-t", str(connections), "-c", str(connections), "-d", f"{seconds:g}s"]
        command += ["-s", str(ROOT / "bench" / "burst.lua"), self.url, "--", str(cookies), SLUG, page]
        command += [str(plays_per_visit), str(connections)]
        done = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60, check=True)
        return json.loads(done.stdout.strip().splitlines()[-1])

    # -- after-checks ---------------------------------------------------------------------------

    def wait_ingested(self, timeout: float = 120) -> dict:
        """Wait until the worker has put every draw in the SQL ledger; the reconcile summary."""
        deadline = time.monotonic() + timeout
        while True:
            done = self.flask("campaigns", "reconcile", SLUG, check=False)
            summary = json.loads(done.stdout[done.stdout.index("{") :]) if "{" in done.stdout else {}
            if done.returncode == 0 and summary.get("awaiting_ingest", 1) == 0:
                return summary
            if time.monotonic() > deadline:
                raise AssertionError(f"not reconciled after {timeout:.0f} s: {done.stdout}{done.stderr}")
            time.sleep(1)

    def after_checks(self) -> dict:
        """The checks every run must pass; raises AssertionError naming the first that fails."""
        summary = self.wait_ingested()
        redis = self.redis()
        awarded = inventory.awarded(redis, self.campaign["id"])
        for tier, _, stock, _ in PRIZES:
            if stock is not None and awarded.get(tier, 0) > stock:
                raise AssertionError(f"{tier}: {awarded[tier]} awarded, stock {stock}")
        codes = json.loads(self.python("from bench.stack import _issued_codes; _issued_codes()"))
        if len(codes) != len(set(codes)) or len(codes) != sum(
            awarded.get(t, 0) for t, _, s, c in PRIZES if c != "none"
        ):
            raise AssertionError(f"coupon codes: {len(codes)} issued, {len(set(codes))} distinct, awarded {awarded}")
        verified = self.flask("campaigns", "verify", SLUG).stdout
        count = int(re.search(r"(\d+) draws verified", verified).group(1))
        report = self.flask("campaigns", "report", SLUG).stdout
        plays = int(re.search(r"plays (\d+)", report).group(1))
        if not (count == plays == summary["redis_seq"]):
            raise AssertionError(f"ledger {count} draws, statistics {plays} plays, Redis seq {summary['redis_seq']}")
        return {"draws": count, "awarded": awarded, "codes": len(codes)}


def draw_once(url: str, session: requests.Session, key: str | None = None, retry: bool = True) -> Outcome:
    """One draw request; transport failures are outcomes too.

    A connection that breaks is retried once with the same ``Idempotency-Key``, as the
    game page does: the server answers the original draw if it had made one.
    """
    key = key or uuid.uuid4().hex
    start = time.perf_counter()
    try:
        response = session.post(
            f"{url}/c/{SLUG}/draw", json={}, timeout=10, headers={"Idempotency-Key": key, "Accept": "application/json"}
        )
    except requests.RequestException as exc:
        if retry:
            again = draw_once(url, session, key, retry=False)
            again.retried = True
            return again
        return Outcome(0, type(exc).__name__, (time.perf_counter() - start) * 1000, key)
    ms = (time.perf_counter() - start) * 1000
    try:
        body = response.json()
    except ValueError:
        return Outcome(response.status_code, "not_json", ms, key)
    code = "ok" if response.status_code == 200 else body.get("error", {}).get("code", "unknown")
    return Outcome(response.status_code, code, ms, key, body)


def open_page(url: str, session: requests.Session) -> list[Outcome]:
    """What a phone asks for when it opens the game page: the page, ``/me`` and the signed ``wx.config``."""
    page = f"{url}/c/{SLUG}/"
    out = []
    for kind, target, params in (
        ("page", page, None),
        ("me", page + "me", None),
        ("wx-config", page + "wx-config", {"url": page}),
    ):
        start = time.perf_counter()
        try:
            response = session.get(target, params=params, timeout=10, allow_redirects=False)
            code = "ok" if response.status_code == 200 else f"http_{response.status_code}"
            status = response.status_code
        except requests.RequestException as exc:
            code, status = type(exc).__name__, 0
        out.append(Outcome(status, code, (time.perf_counter() - start) * 1000, "", kind=kind))
    return out


def _play_part(
    url: str, followers: list[int], cookies: list[str], seconds: float, threads: int, plays_per_visit: int = 0
) -> list[Outcome]:
    """One load process: the followers' sessions rebuilt from their cookies, then :func:`_play_threads`."""
    sessions = {f: requests.Session() for f in followers}
    for follower, session in sessions.items():
        session.cookies.set("session", cookies[follower])
    return _play_threads(url, sessions, seconds, threads, plays_per_visit)


def _play_threads(
    url: str, sessions: dict[int, requests.Session], seconds: float, threads: int, plays_per_visit: int = 0
) -> list[Outcome]:
    """``threads`` threads, each drawing in turn for its share of the followers until the deadline.

    With ``plays_per_visit``, each follower's turn is a page open (:func:`open_page`) and that many draws.
    """
    outcomes: list[Outcome] = []
    lock = threading.Lock()
    deadline = time.monotonic() + seconds
    followers = list(sessions)

    def loop(slot: int) -> None:
        mine = followers[slot::threads]
        i, got = 0, []
        while mine and time.monotonic() < deadline:
            follower = mine[i % len(mine)]
            if plays_per_visit:
                got += open_page(url, sessions[follower])
            for _ in range(max(plays_per_visit, 1)):
                sent = time.monotonic()
                outcome = draw_once(url, sessions[follower])
                outcome.follower, outcome.at = follower, sent
                got.append(outcome)
            i += 1
        with lock:
            outcomes.extend(got)

    workers = [threading.Thread(target=loop, args=(slot,)) for slot in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return outcomes


def _pct(values: list[float], p: float) -> float:
    return values[min(len(values) - 1, int(len(values) * p))] if values else float("nan")


def summarize(outcomes: list[Outcome], seconds: float) -> dict:
    """Draws per second, latency percentiles of answered draws, and errors by kind; page opens apart."""
    draws = [o for o in outcomes if o.kind == "draw"]
    ok = sorted(o.ms for o in draws if o.code == "ok")
    answered = sorted(o.ms for o in draws if o.status)
    opens = sorted(o.ms for o in outcomes if o.kind != "draw" and o.status)
    return {
        "draws": len(ok),
        "draws_per_s": len(ok) / seconds,
        "p50": _pct(answered, 0.50),
        "p95": _pct(answered, 0.95),
        "p99": _pct(answered, 0.99),
        "median_ok_ms": statistics.median(ok) if ok else float("nan"),
        "page_opens": sum(o.kind == "page" for o in outcomes),
        "page_requests_p50": _pct(opens, 0.50),
        "page_requests_p99": _pct(opens, 0.99),
        "errors": dict(
            Counter(f"{o.kind}:{o.code}" if o.kind != "draw" else o.code for o in outcomes if o.code != "ok")
        ),
        "retried_same_key": sum(o.retried for o in outcomes),
    }


def _in_threads(function, items, threads: int) -> None:
    items = list(items)
    errors: list[BaseException] = []

    def run(part):
        for item in part:
            try:
                function(item)
            except BaseException as exc:  # noqa: BLE001 - reported below
                errors.append(exc)
                return

    workers = [threading.Thread(target=run, args=(items[i::threads],)) for i in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    if errors:
        raise errors[0]


# -- run in a child process with the stack's environment --------------------------------------------


def _prepare(min_interval_ms: int) -> None:
    """Seed the demo account, create and publish the burst campaign with codes; print its ids as JSON."""
    from datetime import timedelta

    from app import create_app
    from campaigns import demo
    from campaigns.catalog.models import Campaign, OfficialAccount, PrizeTier
    from campaigns.coupons.models import CouponCode
    from campaigns.draws.publish import publish
    from extensions import db

    app = create_app()
    services = app.extensions["services"]
    with app.app_context():
        demo.seed(db.session, services.secrets, services.clock)
        account = db.session.scalar(db.select(OfficialAccount).where(OfficialAccount.app_id == demo.DEMO_APP_ID))
        now = services.clock.now()
        campaign = Campaign(
            account=account,
            slug=SLUG,
            name="Burst 压力测试",
            game="scratch",
            look={},
            starts_at=now - timedelta(minutes=1),
            ends_at=now + timedelta(days=7),
        )
        for position, (tier, weight, stock, coupon) in enumerate(PRIZES):
            campaign.tiers.append(
                PrizeTier(
                    position=position,
                    tier=tier,
                    name=tier,
                    weight=weight,
                    stock=stock or 0,
                    release="all",
                    is_fallback=stock is None,
                    coupon_kind=coupon,
                )
            )
        db.session.add(campaign)
        db.session.flush()
        for tier in campaign.tiers:
            if tier.coupon_kind == "code":
                db.session.add_all(
                    CouponCode(tier_id=tier.id, code=f"B{tier.tier[0].upper()}{i:06d}", state="available")
                    for i in range(tier.stock)
                )
        db.session.flush()
        publish(
            db.session,
            services.redis,
            campaign,
            clock=services.clock,
            secrets=services.secrets,
            min_interval_ms=min_interval_ms,
        )
        db.session.commit()
        print(json.dumps({"id": campaign.id, "account_id": account.id}))


def _issued_codes() -> None:
    """Print the coupon codes the SQL ledger records as given, as JSON."""
    from app import create_app
    from campaigns.draws.models import Draw
    from extensions import db

    app = create_app()
    with app.app_context():
        codes = db.session.scalars(
            db.select(Draw.coupon_code).where(Draw.coupon_code.is_not(None), Draw.coupon_code != "")
        ).all()
        print(json.dumps(list(codes)))
