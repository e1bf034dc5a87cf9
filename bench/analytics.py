"""Benchmark: the numpy statistics of a 10-million-event campaign against a pandas groupby baseline.

    .venv/bin/python bench/analytics.py [--events 10000000] [--repeat 3]

Generates a synthetic 30-day campaign (weekday/weekend shape, first-day burst, follows
and unfollows, visits by placement and QR scans), times the pass with the per-channel
metrics against the same pass without them in interleaved rounds, computes every
definition of docs/metrics.md with ``campaigns.analytics`` and with a straightforward
pandas implementation of the same definitions, asserts that both give identical numbers,
and prints the median times, the speed-up and the peak memory of the numpy computation.
Goals: under 2 s with the per-channel metrics, at least 5x pandas, under 1.5 GB.
Needs the ``bench`` extra (``pip install -e '.[bench]'``) for pandas.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import time
import tracemalloc
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from campaigns.analytics import channels as channels_module  # noqa: E402
from campaigns.analytics.attribution import NO_SCENE, VISIT_WINDOW_MS  # noqa: E402
from campaigns.analytics.channels import FIXED  # noqa: E402
from campaigns.analytics.days import local_midnights_ms  # noqa: E402
from campaigns.analytics.metrics import RETENTION_OFFSETS, Columns, compute  # noqa: E402
from campaigns.analytics.shape import retention_share, shape  # noqa: E402

TZ = "Asia/Shanghai"
FIRST = date(2026, 11, 2)  # a Monday
DAYS = 30
TIERS = ("big", "mid", "small", "none")
HOUR = 3_600_000


def synthetic(events: int, seed: int = 1) -> tuple[Columns, np.ndarray]:
    """A campaign of about ``events`` events as columns, and its day boundaries."""
    rng = np.random.default_rng(seed)
    bounds = local_midnights_ms(FIRST, DAYS, TZ)
    weekend = np.array([(FIRST.toordinal() + d) % 7 in (5, 6) for d in range(DAYS)])  # ordinal 1 is a Monday
    day_weight = np.where(weekend, 0.62, 1.0) * 0.97 ** np.arange(DAYS)
    day_weight[0] *= 6  # the launch-day burst
    day_weight /= day_weight.sum()
    players = events // 7

    def at(n):
        day = rng.choice(DAYS, size=n, p=day_weight)
        return rng.integers(bounds[day], bounds[day + 1]), rng.integers(0, players, size=n)

    n_draw, n_visit = int(events * 0.6), int(events * 0.3)
    n_add, n_red, n_fol = int(events * 0.04), int(events * 0.02), int(events * 0.03)
    n_unf = events - n_draw - n_visit - n_add - n_red - n_fol
    draw_ts, draw_player = at(n_draw)
    visit_ts, visit_player = at(n_visit)
    n_scan = n_fol // 2
    scan_ts, scan_player = at(n_scan)
    channels = ("poster", "table", *FIXED)
    added_ts, added_player = at(n_add)
    follow_ts, follow_player = at(n_fol)
    unfollow_ts, unfollow_player = at(n_unf)
    cols = Columns(
        players=players,
        tiers=TIERS,
        fallback="none",
        visit_player=visit_player,
        visit_ts=visit_ts,
        draw_player=draw_player,
        draw_ts=draw_ts,
        draw_tier=rng.choice(len(TIERS), size=n_draw, p=[0.001, 0.009, 0.09, 0.9]),
        coupon_added_ts=added_ts,
        coupon_redeemed_ts=at(n_red)[0],
        follow_player=follow_player,
        follow_ts=follow_ts,
        follow_scene=rng.choice(3, size=n_fol, p=[0.5, 0.4, 0.1]).astype(np.int8),
        unfollow_player=unfollow_player,
        unfollow_ts=unfollow_ts,
        # By placement: half the visits carry a ch (two QR channels, share, menu), scans on the QR channels.
        channels=channels,
        visit_channel=rng.choice([-1, 0, 1, 2, 3], size=n_visit, p=[0.5, 0.15, 0.15, 0.1, 0.1]),
        scan_player=scan_player,
        scan_ts=scan_ts,
        scan_channel=rng.integers(0, 2, size=n_scan),
        scan_existing=rng.random(n_scan) < 0.3,
        claim_player=added_player,
        claim_ts=added_ts,
    )
    return cols, bounds


def with_numpy(cols: Columns, bounds: np.ndarray) -> dict[str, object]:
    """Every definition through campaigns.analytics."""
    curves = compute(cols, bounds)
    out: dict[str, object] = {name: values for name, values in curves.counts.items()}
    out["prizes"] = curves.prizes[:, :3]
    for k in RETENTION_OFFSETS:
        out[f"returned_d{k}"] = curves.returned[k]
        out[f"retention_d{k}"] = retention_share(curves.returned[k], curves.counts["new_players"], k, DAYS)
    out["shape"] = shape(curves.counts["plays"], _weekend())
    # The per-channel curves are computed in the same pass; the baseline checks they sum to the totals.
    channels_total = {name: int(grid.sum()) for name, grid in curves.by_channel.items()}
    assert channels_total["plays"] == int(curves.counts["plays"].sum())
    assert channels_total["new_players"] == int(curves.counts["new_players"].sum())
    return out


def _weekend() -> np.ndarray:
    return np.array([date.fromordinal(FIRST.toordinal() + d).weekday() >= 5 for d in range(DAYS)])


def frames(cols: Columns) -> dict[str, pd.DataFrame]:
    """The same events as pandas frames (not timed)."""
    return {
        "visit": pd.DataFrame({"player": cols.visit_player, "ts": cols.visit_ts}),
        "draw": pd.DataFrame({"player": cols.draw_player, "ts": cols.draw_ts, "tier": cols.draw_tier}),
        "added": pd.DataFrame({"ts": cols.coupon_added_ts}),
        "redeemed": pd.DataFrame({"ts": cols.coupon_redeemed_ts}),
        "follow": pd.DataFrame({"player": cols.follow_player, "ts": cols.follow_ts, "scene": cols.follow_scene}),
        "unfollow": pd.DataFrame({"player": cols.unfollow_player, "ts": cols.unfollow_ts}),
    }


def _day(ts: pd.Series) -> pd.Series:
    """Campaign-local calendar day, the pandas way: convert to the zone and count dates."""
    local = pd.to_datetime(ts, unit="ms", utc=True).dt.tz_convert(TZ).dt.tz_localize(None).dt.normalize()
    return (local - pd.Timestamp(FIRST)).dt.days


def _per_day(series: pd.Series) -> np.ndarray:
    return series.reindex(range(DAYS), fill_value=0).to_numpy(dtype=np.int64)


def with_pandas(f: dict[str, pd.DataFrame]) -> dict[str, object]:
    """Every definition as a straightforward pandas groupby implementation."""
    for frame in f.values():
        frame["day"] = _day(frame["ts"])
    draw, visit = f["draw"], f["visit"]
    out: dict[str, object] = {
        "visitors": _per_day(visit.groupby("day")["player"].nunique()),
        "players": _per_day(draw.groupby("day")["player"].nunique()),
        "plays": _per_day(draw.groupby("day").size()),
    }
    first = draw.groupby("player")["day"].min()
    out["new_players"] = _per_day(first.value_counts())
    out["returning_players"] = out["players"] - out["new_players"]
    wins = draw[draw["tier"] != TIERS.index("none")]
    out["winners"] = _per_day(wins.groupby("day")["player"].nunique())
    out["prizes"] = (
        wins.groupby(["day", "tier"])
        .size()
        .unstack(fill_value=0)
        .reindex(index=range(DAYS), columns=range(3), fill_value=0)
        .to_numpy(dtype=np.int64)
    )
    out["coupons_added"] = _per_day(f["added"].groupby("day").size())
    out["coupons_redeemed"] = _per_day(f["redeemed"].groupby("day").size())
    follows = pd.merge_asof(
        f["follow"].reset_index().sort_values("ts"),
        visit[["player", "ts"]].rename(columns={"ts": "visit_ts"}).sort_values("visit_ts"),
        left_on="ts",
        right_on="visit_ts",
        by="player",
        direction="backward",
    )
    follows["ours"] = (follows["scene"] == 1) | (
        (follows["scene"] == NO_SCENE) & (follows["ts"] - follows["visit_ts"] <= VISIT_WINDOW_MS)
    )
    unf = pd.merge_asof(
        f["unfollow"].sort_values("ts"),
        follows[["player", "ts", "ours"]].rename(columns={"ts": "follow_ts"}).sort_values("follow_ts"),
        left_on="ts",
        right_on="follow_ts",
        by="player",
        direction="backward",
    )
    out["follows"] = _per_day(follows[follows["ours"]].groupby("day").size())
    out["unfollows"] = _per_day(unf[unf["ours"].eq(True)].groupby("day").size())
    out["net_follower_gain"] = out["follows"] - out["unfollows"]
    out["net_follower_gain_total"] = np.cumsum(out["net_follower_gain"])
    pairs = draw[["day", "player"]].drop_duplicates()
    pairs["cohort"] = pairs["player"].map(first)
    pairs["offset"] = pairs["day"] - pairs["cohort"]
    for k in RETENTION_OFFSETS:
        out[f"returned_d{k}"] = _per_day(pairs[pairs["offset"] == k].groupby("cohort").size())
        out[f"retention_d{k}"] = retention_share(out[f"returned_d{k}"], out["new_players"], k, DAYS)
    out["shape"] = shape(out["plays"], _weekend())
    return out


def assert_identical(a: dict, b: dict) -> None:
    """Every number of both implementations is the same."""
    assert a.keys() == b.keys(), a.keys() ^ b.keys()
    for name in a:
        if isinstance(a[name], np.ndarray):
            assert np.array_equal(a[name], b[name]), name
        else:
            assert a[name] == b[name], name


def without_channels(cols: Columns, bounds: np.ndarray) -> None:
    """Today's metrics before results by placement: the same pass with the per-channel step left out."""
    fill = channels_module.fill
    channels_module.fill = lambda *args: None
    try:
        compute(cols, bounds)
    finally:
        channels_module.fill = fill


def interleaved(cols: Columns, bounds: np.ndarray, rounds: int) -> tuple[float, float]:
    """Median seconds of the full pass and of the pass without channels, measured in alternating rounds."""
    full, base = [], []
    for _ in range(rounds):
        for fn, times in ((lambda: compute(cols, bounds), full), (lambda: without_channels(cols, bounds), base)):
            start = time.perf_counter()
            fn()
            times.append(time.perf_counter() - start)
    return statistics.median(full), statistics.median(base)


def timed(fn, *args, repeat: int) -> tuple[float, object]:
    """Median wall time of ``repeat`` calls, and the last result."""
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn(*args)
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print its figures; exit 1 if a goal is missed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=10_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    cols, bounds = synthetic(args.events)
    print(f"{cols.events:,} events, {cols.players:,} players, {DAYS} days")
    numpy_s, numpy_out = timed(with_numpy, cols, bounds, repeat=args.repeat)
    full_s, base_s = interleaved(cols, bounds, rounds=max(args.repeat, 3))
    print(
        f"compute with channels {full_s:.2f} s, without {base_s:.2f} s (medians of interleaved rounds); "
        f"the channels cost {full_s / base_s - 1:.0%}"
    )
    tracemalloc.start()
    with_numpy(cols, bounds)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    pandas_s, pandas_out = timed(lambda: with_pandas(frames(cols)), repeat=max(1, args.repeat - 2))
    assert_identical(numpy_out, pandas_out)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"numpy:  {numpy_s:.2f} s median of {args.repeat}; peak {peak / 2**20:.0f} MiB allocated by the computation")
    print(f"pandas: {pandas_s:.2f} s (same definitions, identical numbers); {pandas_s / numpy_s:.1f}x slower")
    print(f"process peak RSS (inputs, both implementations): {rss:.0f} MiB")
    print(f"shape: {numpy_out['shape']}")
    ok = full_s < 2 and numpy_s < 2 and pandas_s / numpy_s >= 5 and peak < 1.5 * 2**30
    print("goals met" if ok else "GOALS MISSED: < 2 s, >= 5x pandas, < 1.5 GB")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
