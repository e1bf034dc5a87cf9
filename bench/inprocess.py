"""Each endpoint of a follower's visit called in this process, without a server: its CPU and wall time a request.

``python bench/inprocess.py [--requests 3000] [--only draw] [--profile]``

The same endpoints as ``bench/visit.py`` (bare Flask, the trivial logged-in endpoint,
``GET /me``, the game page, ``POST /draw``), the same campaign and follower sessions and
a real Redis on loopback TCP, but each request is a WSGI call in one thread: the CPU time
(``time.process_time``) is the application's own, with no server, load generator or
thread switches in it, and the wall time adds the waits for Redis. With ``--profile``
each endpoint runs under cProfile and its heaviest functions are printed.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from werkzeug.test import EnvironBuilder  # noqa: E402

from bench.visit import environment, free_port  # noqa: E402
from campaigns.redisconn import RedisServer  # noqa: E402

WARM = 200
USER_AGENT = "Mozilla/5.0 MicroMessenger/8.0 bench"


def environs(method: str, path: str, cookies: list[str], count: int) -> list[dict]:
    """``count`` WSGI environs of the request, each follower's cookie in turn, each draw its own key."""
    out = []
    for i in range(count):
        headers = {"Cookie": f"session={cookies[i % len(cookies)]}", "Accept": "application/json"}
        headers["User-Agent"] = USER_AGENT
        data = None
        if method == "POST":
            headers.update({"Content-Type": "application/json", "Idempotency-Key": uuid.uuid4().hex})
            data = b"{}"
        builder = EnvironBuilder(path=path, method=method, headers=headers, data=data)
        out.append(builder.get_environ() | {"REMOTE_ADDR": "127.0.0.1"})
    return out


def measure(app, environ_list: list[dict], profile: bool) -> tuple[float, float, str]:
    """CPU and wall µs a request over the environs after the warm-up ones; the profile's text if asked."""
    status = []

    def start_response(line, headers, exc_info=None):
        status.append(line)

    for environ in environ_list[:WARM]:
        b"".join(app.wsgi_app(environ, start_response))
    if not status[-1].startswith("200"):
        raise RuntimeError(f"the endpoint answered {status[-1]}")
    profiler = cProfile.Profile() if profile else None
    wall, cpu = time.perf_counter(), time.process_time()
    if profiler:
        profiler.enable()
    for environ in environ_list[WARM:]:
        b"".join(app.wsgi_app(environ, start_response))
    if profiler:
        profiler.disable()
    count = len(environ_list) - WARM
    cpu_us, wall_us = (time.process_time() - cpu) / count * 1e6, (time.perf_counter() - wall) / count * 1e6
    text = ""
    if profiler:
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(30)
        text = out.getvalue()
    return cpu_us, wall_us, text


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--only", help="one endpoint: bare, trivial, me, page or draw")
    parser.add_argument("--profile", action="store_true", help="cProfile each endpoint (slower; shares, not times)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        redis_server = RedisServer(Path(tmp) / "redis", port=free_port(), unixsocket=False).start()
        try:
            from bench.http_setup import prepare

            slug, cookies, _, account_id = prepare(environment(Path(tmp), redis_server.url), 64)
            from bench.wsgi import create_bare_app, create_bench_app

            product, bare = create_bench_app(), create_bare_app()
            endpoints = (
                ("bare", bare, "GET", "/hello"),
                ("trivial", product, "GET", f"/bench/{account_id}/whoami"),
                ("me", product, "GET", f"/c/{slug}/me"),
                ("page", product, "GET", f"/c/{slug}/"),
                ("draw", product, "POST", f"/c/{slug}/draw"),
            )
            for name, app, method, path in endpoints:
                if args.only and name != args.only:
                    continue
                cpu, wall, text = measure(app, environs(method, path, cookies, args.requests + WARM), args.profile)
                print(f"{name:8s} CPU {cpu:6.1f} us a request, wall {wall:6.1f} us")
                if text:
                    print(text)
        finally:
            redis_server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
