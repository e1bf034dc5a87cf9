"""Draw engine benchmark (loopback only, bounded time): ``python bench/draws.py [--seconds 5]``.

(a) the Lua draw script alone vs a naive WATCH/MULTI implementation, many concurrent clients;
(c) (a) with ``appendfsync everysec`` vs ``always``.
The HTTP endpoints (once part (b) here) are measured with wrk by ``bench/visit.py``.
Every run checks that nothing was oversold and no coupon code was given twice.
"""

from __future__ import annotations

import argparse
import multiprocessing
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import redis as redis_lib  # noqa: E402

from campaigns import events  # noqa: E402
from campaigns.draws import engine, fairness, inventory  # noqa: E402
from campaigns.keys import SEQ_FIELD, CampaignKeys, awarded_field, player_field, tier_field  # noqa: E402
from campaigns.redisconn import RedisServer, connect  # noqa: E402

SEED = fairness.sha256_hex("bench seed")
STOCK = {"gold": 500, "silver": 5000}
PRIZES = [
    {
        "tier": "gold",
        "name": "gold",
        "weight": 5,
        "stock": STOCK["gold"],
        "release": "all",
        "coupon": "code",
        "value": "10.00",
        "currency": "CNY",
    },
    {
        "tier": "silver",
        "name": "silver",
        "weight": 30,
        "stock": STOCK["silver"],
        "release": {"per_day": 4000},
        "coupon": "none",
        "value": "1.00",
        "currency": "CNY",
    },
    {
        "tier": "none",
        "name": "none",
        "weight": 65,
        "stock": 0,
        "release": "all",
        "coupon": "none",
        "value": "0.00",
        "currency": "CNY",
    },
]
WEIGHTS = tuple({"tier": p["tier"], "weight": p["weight"]} for p in PRIZES)


def document() -> dict:
    """A week-long campaign that started an hour ago."""
    now = int(time.time() * 1000)
    return fairness.rules_document(
        slug="bench",
        timezone_name="Asia/Shanghai",
        start_ms=now - 3_600_000,
        end_ms=now + 7 * 86_400_000,
        prizes=PRIZES,
        fallback_tier="none",
        plays_per_day=None,
        plays_total=None,
        wins_total=None,
    )


def today() -> str:
    """The campaign-local day now: the web process's guess, which spares the script a lookup (checked there)."""
    return fairness.local_day("Asia/Shanghai", int(time.time() * 1000))


def load_campaign(redis, campaign_id: int) -> None:
    """The benchmark campaign's Redis state, with a code for every gold prize."""
    codes = {"gold": [f"G{campaign_id}-{i:05d}" for i in range(STOCK["gold"])]}
    inventory.load(
        redis,
        campaign_id,
        document(),
        server_seed=SEED,
        campaign_status="live",
        rules_version=1,
        codes=codes,
        min_interval_ms=0,
    )


def script_client(url: str, campaign_id: int, seconds: float, depth: int, worker: int) -> tuple[int, float]:
    """Draw with EVALSHA until the deadline, ``depth`` calls per pipeline (one call per simulated client)."""
    redis = connect(url)
    script = engine.draw_script(redis)
    done, n = 0, 0
    start = time.monotonic()
    deadline = start + seconds
    while time.monotonic() < deadline:
        pipe = redis.pipeline(transaction=False)
        for _ in range(depth):
            player, n = f"w{worker}-{n}", n + 1
            tier = fairness.drawn_tier(SEED, "bench", 0, WEIGHTS)
            script(
                keys=engine.script_keys(campaign_id),
                args=[
                    player,
                    "openid-" + player,
                    "bench",
                    "expect",
                    0,
                    tier,
                    f"k{n:08d}",
                    "",
                    campaign_id,
                    "none",
                    today(),
                ],
                client=pipe,
            )
        done += sum(1 for raw in pipe.execute() if raw.startswith("ok,"))
    return done, time.monotonic() - start


TRIVIAL = "redis.call('INCR', KEYS[1]); redis.call('HSET', KEYS[2], ARGV[1], 1); return redis.call('GET', KEYS[1])"


def trivial_client(url: str, campaign_id: int, seconds: float, depth: int, worker: int) -> tuple[int, float]:
    """The reference: a bare EVALSHA of a three-command script, pipelined like :func:`script_client`."""
    redis = connect(url)
    script = redis.register_script(TRIVIAL)
    tag = f"{{bench:{campaign_id}}}"
    done, start = 0, time.monotonic()
    while time.monotonic() < start + seconds:
        pipe = redis.pipeline(transaction=False)
        for n in range(depth):
            script(keys=[tag + "n", tag + "h"], args=[f"{worker}-{n}"], client=pipe)
        done += len(pipe.execute())
    return done, time.monotonic() - start


def naive_draw(redis, keys: CampaignKeys, player: str) -> None:
    """The naive implementation: optimistic WATCH on the counters, then MULTI/EXEC, retried on conflict."""
    while True:
        with redis.pipeline() as pipe:
            try:
                pipe.watch(keys.state)
                state = inventory.unpack_player(pipe.hget(keys.state, player_field(player)))
                tier = fairness.drawn_tier(SEED, "bench", state.nonce, WEIGHTS)
                awarded = int(pipe.hget(keys.state, awarded_field(tier)) or 0)
                stock = inventory.unpack_stock(pipe.hget(keys.state, tier_field(tier))) or 0
                if tier != "none" and awarded >= stock:
                    tier = "none"
                seq = int(pipe.hget(keys.state, SEQ_FIELD) or 0) + 1
                pipe.multi()
                pipe.hincrby(keys.state, awarded_field(tier), 1)
                if tier == "gold":
                    pipe.lpop(keys.codes("gold"))
                after = inventory.Player("bench", state.nonce + 1, state.plays + 1, state.wins + (tier != "none"))
                pipe.hset(keys.state, mapping={SEQ_FIELD: seq, player_field(player): inventory.pack_player(after)})
                pipe.xadd(keys.events, {"type": "draw", "seq": seq, "player": player, "awarded_tier": tier})
                pipe.execute()
                return
            except redis_lib.WatchError:
                continue


def naive_client(url: str, campaign_id: int, seconds: float, depth: int, worker: int) -> tuple[int, float]:
    """Naive draws from ``depth`` threads (each its own connection) until the deadline."""
    keys = CampaignKeys(campaign_id)
    counts = [0] * depth
    start = time.monotonic()
    deadline = start + seconds

    def loop(slot: int) -> None:
        redis = connect(url)
        while time.monotonic() < deadline:
            naive_draw(redis, keys, f"w{worker}-{slot}-{counts[slot]}")
            counts[slot] += 1

    threads = [threading.Thread(target=loop, args=(i,)) for i in range(depth)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sum(counts), time.monotonic() - start


def oversold(redis, campaign_id: int) -> bool:
    """Whether any tier was awarded beyond its stock, or a code was given twice (from the stream)."""
    keys = CampaignKeys(campaign_id)
    awarded = inventory.awarded(redis, campaign_id)
    codes = [f.get("code") for _, f in events.read(redis.xrange(keys.events), campaign_id) if f.get("code")]
    return any(awarded.get(t, 0) > s for t, s in STOCK.items()) or len(codes) != len(set(codes))


def run_clients(target, url: str, campaign_id: int, seconds: float, processes: int, depth: int) -> float:
    """Draws per second of ``processes`` client processes running ``target``."""
    with multiprocessing.get_context("spawn").Pool(processes) as pool:
        parts = pool.starmap(target, [(url, campaign_id, seconds, depth, w) for w in range(processes)])
    return sum(done for done, _ in parts) / max(elapsed for _, elapsed in parts)


def part_a(directory: Path, seconds: float, fsync: str) -> dict:
    """Script vs naive on a fresh TCP-loopback Redis with the given appendfsync."""
    # No automatic AOF rewrite during the measurement: its fork would land in one run and not another.
    server = RedisServer(
        directory / f"redis-{fsync}",
        port=free_port(),
        unixsocket=False,
        appendfsync=fsync,
        **{"auto-aof-rewrite-min-size": "4gb"},
    ).start()
    try:
        redis = connect(server.url)
        out = {"native": native_client(server.port, 5)}
        for name, target, campaign_id, depth in (
            ("script", script_client, 1, 32),
            ("naive", naive_client, 2, 8),
            ("script_1deep", script_client, 3, 1),
            ("trivial", trivial_client, 4, 32),
        ):
            load_campaign(redis, campaign_id)
            out[name] = run_clients(target, server.url, campaign_id, seconds, 2, depth)
            out[f"{name}_oversold"] = oversold(redis, campaign_id)
        return out
    finally:
        server.stop()


def native_client(port: int, campaign_id: int, requests: int = 100_000, rounds: int = 5) -> dict:
    """The script and the bare EVALSHA driven by ``redis-benchmark`` (C, 50 clients, 16 pipelined).

    The Python clients above spend more CPU building and parsing calls than the server spends
    running them; a C client measures the script itself. Each call has a new random player
    and Idempotency-Key, and the pick is a fixed tier (the script trusts the caller's pick):
    ``silver``, a per-day tier, so the day lookup and the daily cap run until its stock is
    gone, then the fallback. Rounds alternate script and bare; the medians are reported.
    """
    binary = shutil.which("redis-benchmark")
    if binary is None:
        return {}
    redis = connect(f"redis://127.0.0.1:{port}/0")
    load_campaign(redis, campaign_id)
    script, bare = redis.script_load(engine.SCRIPT), redis.script_load(TRIVIAL)
    keys = engine.script_keys(campaign_id)
    args = [
        "p__rand_int__",
        "o__rand_int__",
        "bench",
        "expect",
        "0",
        "silver",
        "k__rand_int__",
        "",
        str(campaign_id),
        "none",
        today(),
    ]
    base = [binary, "-p", str(port), "-r", "1000000000", "-n", str(requests), "-c", "50", "-P", "16", "-q"]
    runs: dict[str, list[float]] = {"script": [], "bare": [], "script_usec": [], "bare_usec": []}
    for _ in range(rounds):
        for name, command in (
            ("script", ["EVALSHA", script, str(len(keys)), *keys, *args]),
            ("bare", ["EVALSHA", bare, "2", "{native}n", "{native}h", "x__rand_int__"]),
        ):
            redis.config_resetstat()
            text = subprocess.run(base + command, capture_output=True, text=True, timeout=300, check=True).stdout
            runs[name].append(float(re.search(r"([0-9.]+) requests per second", text).group(1)))
            runs[f"{name}_usec"].append(redis.info("commandstats")["cmdstat_evalsha"]["usec_per_call"])
    out: dict = {name: statistics.median(values) for name, values in runs.items()}
    out["ratio"] = statistics.median(s / b for s, b in zip(runs["script"], runs["bare"], strict=False))
    out["oversold"] = oversold(redis, campaign_id)
    return out


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0, help="length of each measurement")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        rows += script_rows(part_a(directory, args.seconds, "everysec"), part_a(directory, args.seconds, "always"))
    print(f"{'measurement':<52}{'result':>22}")
    for name, value in rows:
        print(f"{name:<52}{value:>22}")


def script_rows(everysec: dict, always: dict) -> list[tuple[str, str]]:
    """The report lines of (a) and (c)."""
    native, native_always = everysec["native"], always["native"]
    rows = [("(a) redis-benchmark: not installed (apt-get install redis-tools)", "-")]
    if native:
        rows = [
            ("(a) script, redis-benchmark 50 clients x 16 pipelined", f"{native['script']:,.0f} draws/s"),
            ("(a) bare 3-command EVALSHA, same redis-benchmark", f"{native['bare']:,.0f} calls/s"),
            ("(a) script / bare EVALSHA (redis-benchmark, median of rounds)", f"{native['ratio']:.0%}"),
            ("(a) server time per call: script / bare", f"{native['script_usec']:.1f} / {native['bare_usec']:.1f} us"),
            ("(c) script, redis-benchmark, appendfsync always", f"{native_always['script']:,.0f} draws/s"),
            ("(c) always / everysec (redis-benchmark)", f"{native_always['script'] / native['script']:.2f}"),
        ]
    return rows + [
        ("(a) script, 2 procs x 32 pipelined (everysec)", f"{everysec['script']:,.0f} draws/s"),
        ("(a) script, 2 procs, 1 call per round trip", f"{everysec['script_1deep']:,.0f} draws/s"),
        ("(a) naive WATCH/MULTI, 2 procs x 8 threads", f"{everysec['naive']:,.0f} draws/s"),
        ("(a) script / naive", f"{everysec['script'] / everysec['naive']:.1f}x"),
        ("(a) reference: bare 3-command EVALSHA, same clients", f"{everysec['trivial']:,.0f} calls/s"),
        ("(a) script / bare EVALSHA", f"{everysec['script'] / everysec['trivial']:.0%}"),
        ("(c) script, appendfsync always", f"{always['script']:,.0f} draws/s"),
        ("(c) always / everysec", f"{always['script'] / everysec['script']:.2f}"),
        (
            "oversold or code twice",
            str(any(r[k] for r in (everysec, always, native, native_always) for k in r if k.endswith("oversold"))),
        ),
    ]


if __name__ == "__main__":
    main()
