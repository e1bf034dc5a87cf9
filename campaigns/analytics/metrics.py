"""The day-by-day curves of docs/metrics.md as pure numpy functions on column arrays.

Nothing here loops over events in Python: days come from ``np.searchsorted`` on the
local-midnight boundaries, counts from ``np.bincount``, and distinct followers per day
from one sort of ``day * players + player`` keys and a mask of where the key changes
(``np.unique`` on tens of millions of int64 keys is hash-based in NumPy 2 and far slower).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .attribution import attributed_follows, attributed_unfollows
from .days import day_index

RETENTION_OFFSETS = (1, 3, 7)
NO_SCENE, CAMPAIGN_SCENE, OTHER_SCENE = 0, 1, 2


@dataclass
class Columns:
    """A campaign's events as numpy columns, one group per event type.

    Players are small integers ``0 .. players - 1`` (one per openid); timestamps are
    UTC ms; ``draw_tier`` indexes ``tiers``; ``follow_scene`` is NO_SCENE,
    CAMPAIGN_SCENE (a scene of one of the campaign's channels) or OTHER_SCENE.
    """

    players: int
    tiers: tuple[str, ...]
    fallback: str | None
    visit_player: np.ndarray
    visit_ts: np.ndarray
    draw_player: np.ndarray
    draw_ts: np.ndarray
    draw_tier: np.ndarray
    coupon_added_ts: np.ndarray
    coupon_redeemed_ts: np.ndarray
    follow_player: np.ndarray
    follow_ts: np.ndarray
    follow_scene: np.ndarray
    unfollow_player: np.ndarray
    unfollow_ts: np.ndarray

    @property
    def events(self) -> int:
        """How many events the columns hold."""
        return sum(
            len(a)
            for a in (
                self.visit_ts,
                self.draw_ts,
                self.coupon_added_ts,
                self.coupon_redeemed_ts,
                self.follow_ts,
                self.unfollow_ts,
            )
        )


@dataclass
class Curves:
    """Every daily curve of a campaign, each an array with one value per calendar day."""

    days: int
    tiers: tuple[str, ...]
    fallback: str | None = None
    counts: dict[str, np.ndarray] = field(default_factory=dict)
    # prizes[day, tier] for the non-fallback tiers, in ``tiers`` order.
    prizes: np.ndarray | None = None
    # New players of each cohort day who played again k days later (k in RETENTION_OFFSETS).
    returned: dict[int, np.ndarray] = field(default_factory=dict)


def per_day(days: np.ndarray, n_days: int) -> np.ndarray:
    """How many of ``days`` fall on each day ``0 .. n_days - 1`` (others are ignored)."""
    inside = days[(days >= 0) & (days < n_days)]
    return np.bincount(inside, minlength=n_days).astype(np.int64)


def distinct_pairs(days: np.ndarray, players: np.ndarray, n_days: int, n_players: int) -> np.ndarray:
    """The sorted distinct ``day * n_players + player`` keys of the in-range events."""
    inside = (days >= 0) & (days < n_days)
    keys = days[inside] * np.int64(n_players) + players[inside]
    keys.sort()
    if keys.size == 0:
        return keys
    changed = np.empty(keys.size, dtype=bool)
    changed[0] = True
    np.not_equal(keys[1:], keys[:-1], out=changed[1:])
    return keys[changed]


def distinct_per_day(days: np.ndarray, players: np.ndarray, n_days: int, n_players: int) -> np.ndarray:
    """Distinct players per day (sort + diff + bincount)."""
    pairs = distinct_pairs(days, players, n_days, n_players)
    return np.bincount(pairs // max(n_players, 1), minlength=n_days).astype(np.int64)


def first_days(pair_days: np.ndarray, pair_players: np.ndarray, n_days: int, n_players: int) -> np.ndarray:
    """Each player's first day among the pairs (``n_days`` for players without one)."""
    first = np.full(n_players, n_days, dtype=np.int64)
    np.minimum.at(first, pair_players, pair_days)
    return first


def retention_counts(pair_days, pair_players, first, n_days: int) -> dict[int, np.ndarray]:
    """For each offset k, the new players of each cohort day who also played on cohort day + k."""
    cohort = first[pair_players]
    offset = pair_days - cohort
    return {k: np.bincount(cohort[offset == k], minlength=n_days).astype(np.int64) for k in RETENTION_OFFSETS}


def compute(cols: Columns, bounds: np.ndarray) -> Curves:
    """Every daily curve of docs/metrics.md from a campaign's columns and its day boundaries."""
    n = len(bounds) - 1
    p = max(cols.players, 1)
    visit_day = day_index(cols.visit_ts, bounds)
    draw_day = day_index(cols.draw_ts, bounds)
    pairs = distinct_pairs(draw_day, cols.draw_player, n, p)
    pair_day, pair_player = pairs // p, pairs % p
    first = first_days(pair_day, pair_player, n, p)
    fallback = cols.tiers.index(cols.fallback) if cols.fallback in cols.tiers else -1
    win = cols.draw_tier != fallback
    follows = attributed_follows(
        cols.follow_player, cols.follow_ts, cols.follow_scene, cols.visit_player, cols.visit_ts
    )
    unfollows = attributed_unfollows(
        cols.unfollow_player, cols.unfollow_ts, cols.follow_player, cols.follow_ts, follows
    )
    players = np.bincount(pair_day, minlength=n).astype(np.int64)
    new = per_day(first, n)
    follow_days = per_day(day_index(cols.follow_ts[follows], bounds), n)
    unfollow_days = per_day(day_index(cols.unfollow_ts[unfollows], bounds), n)
    counts = {
        "visitors": distinct_per_day(visit_day, cols.visit_player, n, p),
        "players": players,
        "plays": per_day(draw_day, n),
        "new_players": new,
        "returning_players": players - new,
        "winners": distinct_per_day(draw_day[win], cols.draw_player[win], n, p),
        "coupons_added": per_day(day_index(cols.coupon_added_ts, bounds), n),
        "coupons_redeemed": per_day(day_index(cols.coupon_redeemed_ts, bounds), n),
        "follows": follow_days,
        "unfollows": unfollow_days,
        "net_follower_gain": follow_days - unfollow_days,
        "net_follower_gain_total": np.cumsum(follow_days - unfollow_days),
    }
    return Curves(
        days=n,
        tiers=cols.tiers,
        fallback=cols.fallback,
        counts=counts,
        prizes=prizes_per_day(draw_day, cols.draw_tier, win, n, len(cols.tiers)),
        returned=retention_counts(pair_day, pair_player, first, n),
    )


def prizes_per_day(draw_day, draw_tier, win, n_days: int, n_tiers: int) -> np.ndarray:
    """Awards per day and tier (a ``n_days x n_tiers`` array); fallback awards are not prizes."""
    inside = win & (draw_day >= 0) & (draw_day < n_days)
    keys = draw_day[inside] * max(n_tiers, 1) + draw_tier[inside]
    return (
        np.bincount(keys, minlength=n_days * max(n_tiers, 1))
        .reshape(n_days, max(n_tiers, 1))[:, :n_tiers]
        .astype(np.int64)
    )
