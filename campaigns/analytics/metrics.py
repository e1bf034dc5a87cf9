"""The day-by-day curves of docs/metrics.md as pure numpy functions on column arrays.

Nothing here loops over events in Python: days come from ``np.searchsorted`` on the
local-midnight boundaries, counts from ``np.bincount``, and distinct followers per day
from one sort of ``day * players + player`` keys and a mask of where the key changes
(``np.unique`` on tens of millions of int64 keys is hash-based in NumPy 2 and far slower).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from . import channels as ch
from .attribution import CAMPAIGN_SCENE, NO_SCENE, attributed_follows
from .days import day_index

RETENTION_OFFSETS = (1, 3, 7)


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
    # By placement (channels.py): the campaign's channel keys (its scenes, then channels.FIXED),
    # each visit's ``ch`` as a channel code (NO_CHANNEL without one), the QR scans (subscribe
    # and SCAN pushes with a placement's scene), each follow's channel code, the claims and
    # redemptions by player, and the codes, stores and staff behind the redemptions.
    channels: tuple[str, ...] = ch.FIXED
    visit_channel: np.ndarray = field(default_factory=lambda: _none())
    scan_player: np.ndarray = field(default_factory=lambda: _none())
    scan_ts: np.ndarray = field(default_factory=lambda: _none())
    scan_channel: np.ndarray = field(default_factory=lambda: _none())
    scan_existing: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    follow_channel: np.ndarray = field(default_factory=lambda: _none())
    claim_player: np.ndarray = field(default_factory=lambda: _none())
    claim_ts: np.ndarray = field(default_factory=lambda: _none())
    redeemed_player: np.ndarray = field(default_factory=lambda: _none())
    win_code: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=str))
    win_code_ts: np.ndarray = field(default_factory=lambda: _none())
    redeemed_code: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=str))
    redeemed_store: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=str))
    redeemed_staff: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=str))

    def __post_init__(self):
        # Hand-built columns without placement data: every visit unplaced, every follow by its scene code.
        if self.visit_channel.size != self.visit_ts.size:
            self.visit_channel = np.full(self.visit_ts.size, ch.NO_CHANNEL, dtype=np.int64)
        if self.follow_channel.size != self.follow_ts.size:
            codes = {NO_SCENE: ch.fixed_code(self.channels, ch.DIRECT), CAMPAIGN_SCENE: ch.PLAYER_CHANNEL}
            other = ch.fixed_code(self.channels, ch.OTHER)
            lookup = np.array([codes.get(i, other) for i in range(3)], dtype=np.int64)
            self.follow_channel = lookup[self.follow_scene.astype(np.int64)]
        if self.claim_player.size != self.claim_ts.size:
            self.claim_player = np.zeros(self.claim_ts.size, dtype=np.int64)
        if self.redeemed_player.size != self.coupon_redeemed_ts.size:
            self.redeemed_player = np.zeros(self.coupon_redeemed_ts.size, dtype=np.int64)
        for name in ("redeemed_code", "redeemed_store", "redeemed_staff"):
            if getattr(self, name).size != self.coupon_redeemed_ts.size:
                setattr(self, name, np.full(self.coupon_redeemed_ts.size, "", dtype=str))

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


def _none() -> np.ndarray:
    return np.zeros(0, dtype=np.int64)


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
    # by_channel[name][day, channel] for channels.CHANNEL_METRICS, the channels in ``channel_keys`` order.
    channel_keys: tuple[str, ...] = ()
    by_channel: dict[str, np.ndarray] = field(default_factory=dict)
    # Redemptions per store and per staff member each day, and the running median win-to-redemption ms.
    redeemed_by_store: list[dict[str, int]] = field(default_factory=list)
    redeemed_by_staff: list[dict[str, int]] = field(default_factory=list)
    median_win_to_redemption_ms: list[int | None] = field(default_factory=list)


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
    win_pairs = distinct_pairs(draw_day[win], cols.draw_player[win], n, p)
    follows = attributed_follows(
        cols.follow_player, cols.follow_ts, cols.follow_scene, cols.visit_player, cols.visit_ts
    )
    unfollows = ch.unfollows_of(cols.follow_player, cols.follow_ts, follows, cols.unfollow_player, cols.unfollow_ts)
    players = np.bincount(pair_day, minlength=n).astype(np.int64)
    new = per_day(first, n)
    follow_days = per_day(day_index(cols.follow_ts[follows], bounds), n)
    unfollow_days = per_day(day_index(cols.unfollow_ts[unfollows.counted], bounds), n)
    counts = {
        "visitors": distinct_per_day(visit_day, cols.visit_player, n, p),
        "players": players,
        "plays": per_day(draw_day, n),
        "new_players": new,
        "returning_players": players - new,
        "winners": np.bincount(win_pairs // p, minlength=n).astype(np.int64),
        "coupons_added": per_day(day_index(cols.coupon_added_ts, bounds), n),
        "coupons_redeemed": per_day(day_index(cols.coupon_redeemed_ts, bounds), n),
        "follows": follow_days,
        "unfollows": unfollow_days,
        "net_follower_gain": follow_days - unfollow_days,
        "net_follower_gain_total": np.cumsum(follow_days - unfollow_days),
    }
    curves = Curves(
        days=n,
        tiers=cols.tiers,
        fallback=cols.fallback,
        counts=counts,
        prizes=prizes_per_day(draw_day, cols.draw_tier, win, n, len(cols.tiers)),
        returned=retention_counts(pair_day, pair_player, first, n),
    )
    steps = ch.Steps(
        bounds=bounds,
        visit_day=visit_day,
        draw_day=draw_day,
        pair_day=pair_day,
        pair_player=pair_player,
        first=first,
        win_pairs=win_pairs,
        follows=follows,
        unfollows=unfollows,
    )
    ch.fill(curves, cols, steps)
    return curves


def prizes_per_day(draw_day, draw_tier, win, n_days: int, n_tiers: int) -> np.ndarray:
    """Awards per day and tier (a ``n_days x n_tiers`` array); fallback awards are not prizes."""
    inside = win & (draw_day >= 0) & (draw_day < n_days)
    keys = draw_day[inside] * max(n_tiers, 1) + draw_tier[inside]
    return (
        np.bincount(keys, minlength=n_days * max(n_tiers, 1))
        .reshape(n_days, max(n_tiers, 1))[:, :n_tiers]
        .astype(np.int64)
    )
