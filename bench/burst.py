"""A campaign burst on loopback.

``python bench/burst.py [--followers 2000] [--seconds 30] [--load wrk|python] [--appendfsync always] [--cluster]``.

Logs the followers in through the WeChat simulator's OAuth, then has each in turn open the
game page as a phone does (the page, ``/me``, ``wx-config``) and play 3 times, as fast as
the server answers for a bounded time, under gunicorn with several
worker processes and two RQ workers; then runs the after-checks (awarded per tier within
stock, every coupon issued once, Redis == stream == SQL ledger, ``flask campaigns
verify``, statistics' play count == ledger). Prints plays/s (draws, not page opens),
latency percentiles and errors by kind; exits 1 if an after-check fails. The load comes from
``wrk`` (``bench/burst.lua``, a C load generator; its percentiles are of every request) or,
with ``--load python``, from two Python processes that time the draws alone.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.stack import Stack, start_cluster, summarize  # noqa: E402
from campaigns.redisconn import RedisServer  # noqa: E402


def wrk_result(line: dict) -> dict:
    """The wrk run's figures under the names :func:`summarize` uses; any refusal or broken connection fails the run."""
    if line["not_200"] or line["socket_errors"]:
        raise AssertionError(f"{line['not_200']} answers were not 200, {line['socket_errors']} socket errors")
    return {
        "draws": line["plays"],
        "draws_per_s": line["plays"] / line["seconds"],
        "page_opens": line["page_requests"] // 3,
        "p50": line["p50"],
        "p95": line["p95"],
        "p99": line["p99"],
        "errors": {},
        "retried_same_key": 0,
        "every_request": True,  # wrk's percentiles are of every request, page opens and plays together
    }


def run(args: argparse.Namespace, directory: Path) -> dict:
    nodes, rq_server, options = [], None, {}
    if args.cluster:
        nodes, url = start_cluster(directory / "cluster", appendfsync=args.appendfsync)
        # RQ needs one plain Redis (it does not run on a cluster); the campaign state is on the cluster.
        rq_server = RedisServer(directory / "rq-redis", port=0).start()
        options = {"redis_url": url, "extra_env": {"RQ_REDIS_URL": rq_server.url}}
    try:
        with Stack(
            directory / "stack", web_workers=args.web_workers, rq_workers=2, appendfsync=args.appendfsync, **options
        ) as stack:
            started = time.monotonic()
            sessions = stack.log_in(args.followers)
            login_s = time.monotonic() - started
            if args.load == "wrk":
                result = wrk_result(stack.play_with_wrk(sessions, args.seconds, args.threads, args.plays_per_visit))
            else:
                outcomes = stack.play_from_processes(
                    sessions, args.seconds, processes=2, threads=args.threads // 2, plays_per_visit=args.plays_per_visit
                )
                result = summarize(outcomes, args.seconds)
            result.update(followers=len(sessions), login_s=round(login_s, 1), after=stack.after_checks())
            return result
    finally:
        for node in nodes:
            node.stop()
        if rq_server:
            rq_server.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--followers", type=int, default=2000)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--threads", type=int, default=32, help="concurrent load connections (over 2 load processes)")
    parser.add_argument("--web-workers", type=int, default=3)
    parser.add_argument(
        "--plays-per-visit", type=int, default=3, help="draws after each page open (0: draws only, no page opens)"
    )
    parser.add_argument(
        "--load", choices=("wrk", "python"), default="wrk", help="wrk (a C load generator) or 2 Python load processes"
    )
    parser.add_argument("--appendfsync", choices=("everysec", "always"), default="everysec")
    parser.add_argument("--cluster", action="store_true", help="the campaign state on a three-master Redis Cluster")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        try:
            result = run(args, Path(tmp))
        except AssertionError as failed:
            print(f"AFTER-CHECK FAILED: {failed}")
            return 1
    setup = f"{'cluster' if args.cluster else 'single Redis'}, appendfsync {args.appendfsync}"
    print(
        f"burst: {result['followers']} followers logged in through the simulator in {result['login_s']} s; "
        f"{args.threads} connections from {'wrk' if args.load == 'wrk' else '2 Python load processes'} "
        f"for {args.seconds:.0f} s; "
        f"gunicorn {args.web_workers} workers x 4 threads; "
        f"2 RQ workers; {setup}"
    )
    print(
        f"  plays/s {result['draws_per_s']:,.0f}  ({result['draws']} draws; {result['page_opens']} page opens, "
        f"each the page, /me and wx-config, then {args.plays_per_visit} plays)"
    )
    which = "every request's (page opens and plays)" if result.get("every_request") else "draw"
    print(f"  {which} latency p50 {result['p50']:.1f} ms  p95 {result['p95']:.1f} ms  p99 {result['p99']:.1f} ms")
    if result["page_opens"] and not result.get("every_request"):
        print(
            f"  page-open requests p50 {result['page_requests_p50']:.1f} ms  p99 {result['page_requests_p99']:.1f} ms"
        )
    print(
        f"  errors by kind {json.dumps(result['errors'])}; broken connections retried with the same key "
        f"{result['retried_same_key']}"
    )
    print(f"  after-checks passed: {json.dumps(result['after'])}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
