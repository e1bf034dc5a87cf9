"""A follower's visit under load, each endpoint a share of bare Flask on the same server: ``python bench/visit.py``.

``python bench/visit.py [--seconds 5] [--rounds 3] [--connections 16] [--servers gunicorn,granian]``

``wrk`` (a C load generator, Debian's package) drives, one endpoint at a time:

- ``bare``: a bare Flask JSON hello (``bench/wsgi.py``), the ceiling;
- ``trivial``: the product's trivial logged-in endpoint (the session cookie read, nothing else);
- ``me``: ``GET /c/<slug>/me``, which every page open calls;
- ``page``: ``GET /c/<slug>/``, the game page;
- ``draw``: ``POST /c/<slug>/draw``.

Each server runs the product and the bare app as two instances of the same configuration
(2 workers x 4 gthread threads for gunicorn; 2 workers x 4 blocking threads for granian, a
Rust WSGI server measured side by side with ``--servers gunicorn,granian`` after ``pip
install granian``; the product runs on gunicorn). ``bench/visit.lua`` gives every connection
its own followers' session cookies and every draw a fresh ``Idempotency-Key``. Rounds are
interleaved (every endpoint of every server once per round) and the medians are reported,
each with its ratio to the bare endpoint of its server and round, and with the server's CPU
time per request (its workers' user + system time over the run, from ``/proc``) and the
Redis server's: on a shared machine the CPU a request costs is steadier than its rate. The draw script alone
(``redis-benchmark``, as in ``bench/draws.py``) runs against the same Redis in every round,
so the script's headroom over the HTTP draw is a ratio within each round too. The run fails if a
request was refused or a tier oversold.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import pyspy  # noqa: E402
from bench.draws import free_port, native_client, oversold  # noqa: E402
from campaigns.redisconn import RedisServer, connect  # noqa: E402

ENDPOINTS = (  # name, app, method, path (formatted with the campaign's slug and account id)
    ("bare", "bare", "GET", "/hello"),
    ("trivial", "product", "GET", "/bench/{account_id}/whoami"),
    ("me", "product", "GET", "/c/{slug}/me"),
    ("page", "product", "GET", "/c/{slug}/"),
    ("draw", "product", "POST", "/c/{slug}/draw"),
)
APPS = {"bare": "bench.wsgi:create_bare_app()", "product": "bench.wsgi:create_bench_app()"}
LUA = ROOT / "bench" / "visit.lua"
SCRIPT_CAMPAIGN = 999_999  # the script-alone campaign's id in the same Redis (no SQL row)


def wrk_binary() -> str:
    """The ``wrk`` binary, or exit saying how to install it."""
    binary = shutil.which("wrk")
    if binary is None:
        raise SystemExit("wrk is not installed: run `apt-get install wrk` (Debian's package), or `make bench` as root")
    return binary


def server_command(server: str, app: str, port: int) -> list[str]:
    """The command that serves ``app`` on ``port`` with 2 worker processes of 4 threads."""
    if server == "gunicorn":
        return [
            sys.executable,
            "-m",
            "gunicorn",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            os.environ.get("BENCH_WORKERS", "2"),
            "--threads",
            os.environ.get("BENCH_THREADS", "4"),
            "--worker-class",
            "gthread",
            APPS[app],
        ]
    if server == "granian":
        return [
            sys.executable,
            "-m",
            "granian",
            "--interface",
            "wsgi",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            "2",
            "--blocking-threads",
            "4",
            "--factory",
            APPS[app].removesuffix("()"),
        ]
    raise ValueError(server)


def wait_http(url: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            requests.get(url, timeout=1)
            return
        except requests.RequestException:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer")


def run_wrk(base: str, path: str, method: str, cookies: Path, connections: int, seconds: float) -> dict:
    """One wrk run of ``connections`` connections (one per wrk thread) for ``seconds``: its JSON line."""
    command = [wrk_binary(), "-t", str(connections), "-c", str(connections), "-d", f"{seconds:g}s"]
    command += ["-s", str(LUA), base + path, "--", str(cookies), method, path, str(connections)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) of process ``pid`` and its children (a server's workers) so far."""
    total = 0.0
    children = Path(f"/proc/{pid}/task/{pid}/children")
    for one in [pid, *map(int, children.read_text().split() if children.exists() else [])]:
        try:
            fields = Path(f"/proc/{one}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        total += (int(fields[11]) + int(fields[12])) / TICK  # utime, stime
    return total


def check_answers(base: str, path: str, method: str, cookie: str) -> None:
    """One request of the endpoint must succeed (not a login redirect or a refusal) before it is measured."""
    headers = {"Cookie": f"session={cookie}", "User-Agent": "MicroMessenger bench", "Accept": "application/json"}
    if method == "POST":
        headers.update({"Content-Type": "application/json", "Idempotency-Key": f"check-{time.time_ns()}"})
    answer = requests.request(method, base + path, headers=headers, data="{}" if method == "POST" else None, timeout=10)
    if answer.status_code != 200 or answer.history:
        raise RuntimeError(f"{method} {path} answered {answer.status_code}: {answer.text[:200]}")


def environment(directory: Path, redis_url: str) -> dict[str, str]:
    """The servers' settings: production, with the per-address draw limit off (every load comes from 127.0.0.1)."""
    return dict(
        os.environ,
        APP_ENV="production",
        SECRET_KEY="bench-secret-key-0123456789abcdef",
        REDIS_URL=redis_url,
        DRAW_IP_LIMIT="0",
        DATABASE_URL=f"sqlite:///{directory / 'bench.sqlite3'}",
        PUBLIC_URL="https://bench.invalid",
    )


@dataclass
class Target:
    """The campaign under load and the servers serving it."""

    slug: str
    account_id: int
    cookie: str  # one follower's session, for the check before each endpoint
    cookie_file: Path
    redis_pid: int
    ports: dict[tuple[str, str], int] = field(default_factory=dict)
    processes: dict[tuple[str, str], subprocess.Popen] = field(default_factory=dict)

    def start(self, servers: list[str], env: dict[str, str], directory: Path) -> None:
        """Every app under every server, each on its own port."""
        for server in servers:
            for app in APPS:
                port = self.ports[server, app] = free_port()
                log = open(directory / f"{server}-{app}.log", "ab")
                command = server_command(server, app, port)
                self.processes[server, app] = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=log)
        for port in self.ports.values():
            wait_http(f"http://127.0.0.1:{port}/")

    def stop(self) -> None:
        for process in self.processes.values():
            process.terminate()
        for process in self.processes.values():
            process.wait(10)
        self.processes.clear()


def one_endpoint(args, target: Target, server: str, endpoint: tuple, round_: int) -> dict:
    """One wrk run of one endpoint (round 0: checked, 1 s, not counted; with ``--profile``, sampled in round 1)."""
    name, app, method, template = endpoint
    base = f"http://127.0.0.1:{target.ports[server, app]}"
    path = template.format(slug=target.slug, account_id=target.account_id)
    if round_ == 0:
        check_answers(base, path, method, target.cookie)
    seconds = 1 if round_ == 0 else args.seconds
    sampler = None
    if args.profile and round_ == 1:
        sampler = pyspy.record(target.processes[server, app].pid, seconds, args.profile / f"{server}-{name}.txt")
        time.sleep(0.5)  # py-spy attaches before the load starts
    server_pid = target.processes[server, app].pid
    before = cpu_seconds(server_pid), cpu_seconds(target.redis_pid)
    result = run_wrk(base, path, method, target.cookie_file, args.connections, seconds)
    after = cpu_seconds(server_pid), cpu_seconds(target.redis_pid)
    result["cpu_us"] = (after[0] - before[0]) / max(result["requests"], 1) * 1e6
    result["redis_us"] = (after[1] - before[1]) / max(result["requests"], 1) * 1e6
    if sampler:
        sampler.wait(30)
    if (result["non_2xx"] or result["socket_errors"]) and not sampler:
        raise RuntimeError(f"{server} {name}: {result}")
    return result


def measure(args: argparse.Namespace, directory: Path) -> dict:
    """Every endpoint of every server, ``args.rounds`` interleaved rounds; then the script alone."""
    from bench.http_setup import prepare

    redis_server = RedisServer(directory / "redis", port=free_port(), unixsocket=False).start()
    env = environment(directory, redis_server.url)
    target = None
    try:
        slug, cookies, campaign_id, account_id = prepare(env, args.connections * args.followers)
        target = Target(slug, account_id, cookies[0], directory / "cookies.txt", redis_server.process.pid)
        target.cookie_file.write_text("\n".join(cookies) + "\n")
        target.start(args.servers, env, directory)
        runs: dict[tuple[str, str], list[dict]] = {}
        scripts: list[dict] = []
        for round_ in range(args.rounds + 1):  # round 0 warms every worker up and is not counted
            for server in args.servers:
                for endpoint in ENDPOINTS:
                    result = one_endpoint(args, target, server, endpoint, round_)
                    if round_:
                        runs.setdefault((server, endpoint[0]), []).append(result)
            if round_:  # the script alone, in the same round (its own campaign each time)
                scripts.append(native_client(redis_server.port, SCRIPT_CAMPAIGN + round_, rounds=1))
        return {
            "runs": runs,
            "scripts": [s for s in scripts if s],
            "oversold": oversold(connect(redis_server.url), campaign_id) or any(s.get("oversold") for s in scripts),
        }
    finally:
        if target:
            target.stop()
        redis_server.stop()


def summary(measured: dict, servers: list[str]) -> list[tuple[str, str]]:
    """The report lines: per server and endpoint, the medians and the median ratio to bare."""
    runs, rows = measured["runs"], []
    for server in servers:
        bare = runs[server, "bare"]
        for name, *_ in ENDPOINTS:
            mine = runs[server, name]
            ratio = statistics.median(m["rps"] / b["rps"] for m, b in zip(mine, bare, strict=True))
            rps, p50, p99, cpu, redis = (
                statistics.median(m[k] for m in mine) for k in ("rps", "p50", "p99", "cpu_us", "redis_us")
            )
            cpu_ratio = statistics.median(m["cpu_us"] / b["cpu_us"] for m, b in zip(mine, bare, strict=True))
            rows.append((f"{server} {name}", f"{rps:,.0f} req/s  {ratio:.2f}x bare  p50 {p50:.1f}  p99 {p99:.1f} ms"))
            rows.append(
                (
                    f"{server} {name}: server CPU a request",
                    f"{cpu:,.0f} us ({cpu_ratio:.1f}x bare's); Redis {redis:,.0f} us",
                )
            )
    scripts = measured["scripts"]
    if scripts:
        for server in servers:
            ratio = statistics.median(
                s["script"] / m["rps"] for s, m in zip(scripts, runs[server, "draw"], strict=True)
            )
            rows.append((f"draw script alone / {server} HTTP draw", f"{ratio:.0f}x (median of rounds)"))
        script = statistics.median(s["script"] for s in scripts)
        rows.append(("draw script alone (redis-benchmark)", f"{script:,.0f} draws/s"))
    else:
        rows.append(("draw script alone: redis-benchmark not installed (apt-get install redis-tools)", "-"))
    rows.append(("oversold or code twice", str(measured["oversold"])))
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0, help="length of each measurement")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds (the medians are reported)")
    parser.add_argument("--connections", type=int, default=16, help="wrk connections")
    parser.add_argument("--followers", type=int, default=32, help="follower sessions per connection")
    parser.add_argument("--servers", default="gunicorn", help="comma-separated: gunicorn, granian")
    parser.add_argument("--profile", type=Path, help="sample the workers with py-spy in round 1, into this folder")
    args = parser.parse_args()
    args.servers = args.servers.split(",")
    if args.profile:
        pyspy.binary()
        args.profile.mkdir(parents=True, exist_ok=True)
    wrk_binary()
    with tempfile.TemporaryDirectory() as tmp:
        measured = measure(args, Path(tmp))
    print(
        f"{args.connections} wrk connections x {args.followers} followers each; {args.rounds} interleaved rounds of "
        f"{args.seconds:g} s; 2 workers x 4 threads per server; {os.cpu_count()} CPUs"
    )
    for name, value in summary(measured, args.servers):
        print(f"  {name:<44}{value}")
    for recording in sorted(args.profile.glob("*.txt")) if args.profile else ():
        print("\n".join(pyspy.summarize(recording)))
    return 1 if measured["oversold"] else 0


if __name__ == "__main__":
    sys.exit(main())
