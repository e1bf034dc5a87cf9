"""Results by placement: which channel brought each visit, player, follow and prize (docs/metrics.md).

Pure numpy on the columns of ``metrics.Columns``; nothing here loops over events in Python.
A campaign's channels are its own ``Channel``s (by scene, in their order) and then
:data:`FIXED`. Each event's channel is a small integer into that tuple.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from .attribution import latest_at_or_before
from .days import ATTRIBUTION_DAYS

SHARE, MENU, DIRECT, OTHER = "share", "menu", "direct", "other"
FIXED = (SHARE, MENU, DIRECT, OTHER)
# A visit without ``ch`` belongs to the follower's last scan this recent, else to direct.
SCAN_WINDOW_MS = ATTRIBUTION_DAYS * 24 * 3600 * 1000
# ``unfollows_7d`` counts the unfollows this soon after the follow they take back.
UNFOLLOW_WINDOW_MS = ATTRIBUTION_DAYS * 24 * 3600 * 1000
# A follow's channel code meaning "the follower's channel as a player" (the campaign's own follow prompt).
PLAYER_CHANNEL = -2
NO_CHANNEL = -1
_CHANNEL_BITS = 16
# What a game page URL's ``ch`` may hold (a channel's scene, share or menu); anything else is dropped.
_CH = re.compile(r"[A-Za-z0-9_.:-]{1,64}")

# Per day and channel, in this order. ``new_players`` and ``new_winners`` are counted on the
# follower's first playing (winning) day, so their sums are the distinct players (winners).
CHANNEL_METRICS = (
    "scans",
    "existing_follower_scans",
    "follows",
    "visits",
    "players",
    "new_players",
    "plays",
    "winners",
    "new_winners",
    "claimed",
    "redeemed",
    "unfollows",
    "unfollows_7d",
    "net_follower_gain",
)


def placement_of(ch: str | None) -> str:
    """The ``ch`` of a game page URL as recorded on the visit: kept when well-formed, else empty."""
    return ch if ch and _CH.fullmatch(ch) else ""


def fixed_code(channels: tuple[str, ...], name: str) -> int:
    """The index of one of :data:`FIXED` in a campaign's channel tuple."""
    return len(channels) - len(FIXED) + FIXED.index(name)


def visit_channels(channels, visit_channel, visit_player, visit_ts, scan_player, scan_ts, scan_channel) -> np.ndarray:
    """Each visit's channel: its ``ch``, else the follower's last scan within 7 days, else direct."""
    out = visit_channel.astype(np.int64, copy=True)
    out[out == NO_CHANNEL] = fixed_code(channels, DIRECT)
    if scan_ts.size == 0:
        return out
    # Only the unplaced visits of followers who ever scanned can belong to a scan: look those up.
    scanned = np.zeros(int(max(scan_player.max(), visit_player.max(initial=0))) + 1, dtype=bool)
    scanned[scan_player] = True
    none = np.flatnonzero((visit_channel == NO_CHANNEL) & scanned[visit_player])
    found = latest_at_or_before(scan_player, scan_ts, visit_player[none], visit_ts[none])
    recent = found >= 0
    recent[recent] = visit_ts[none][recent] - scan_ts[found[recent]] <= SCAN_WINDOW_MS
    resolved = np.full(none.size, fixed_code(channels, DIRECT), dtype=np.int64)
    resolved[recent] = scan_channel[found[recent]]
    out[none] = resolved
    return out


def player_channels(channels, n_players: int, visit_player, visit_ts, visit_channel) -> np.ndarray:
    """Each follower's channel: that of their first visit (ties by channel order), or direct without one."""
    never = np.iinfo(np.int64).max
    first = np.full(max(n_players, 1), never, dtype=np.int64)
    if visit_ts.size:
        base = int(visit_ts.min())
        # One key per visit orders by time, then channel: its minimum per player is the first visit.
        keys = ((visit_ts.astype(np.int64) - base) << _CHANNEL_BITS) | visit_channel
        np.minimum.at(first, visit_player, keys)
    mask = (1 << _CHANNEL_BITS) - 1
    return np.where(first == never, fixed_code(channels, DIRECT), first & mask)


def per_day_channel(days: np.ndarray, chan: np.ndarray, n_days: int, n_channels: int) -> np.ndarray:
    """How many events fall on each (day, channel): an ``n_days x n_channels`` array."""
    inside = (days >= 0) & (days < n_days)
    keys = days[inside] * n_channels + chan[inside]
    return np.bincount(keys, minlength=n_days * n_channels).reshape(n_days, n_channels).astype(np.int64)


@dataclass
class Unfollows:
    """Which unfollows count, and the follow each takes back (-1 for none)."""

    counted: np.ndarray
    follow: np.ndarray


def unfollows_of(follow_player, follow_ts, follow_counted, unfollow_player, unfollow_ts) -> Unfollows:
    """Unfollows whose follower's latest follow at or before them is counted (docs/metrics.md)."""
    latest = latest_at_or_before(follow_player, follow_ts, unfollow_player, unfollow_ts)
    counted = np.zeros(len(unfollow_ts), dtype=bool)
    has = latest >= 0
    counted[has] = follow_counted[latest[has]]
    return Unfollows(counted=counted, follow=latest)


def first_of(pair_day: np.ndarray, pair_player: np.ndarray, n_days: int, n_players: int) -> np.ndarray:
    """Each player's first day among sorted ``(day, player)`` pairs (``n_days`` for players without one)."""
    first = np.full(max(n_players, 1), n_days, dtype=np.int64)
    np.minimum.at(first, pair_player, pair_day)
    return first


def median_delay(win_code, win_ts, redeem_code, redeem_ts, redeem_day, n_days: int) -> list[int | None]:
    """For each day, the median ms from a win to its redemption over the redemptions up to that day.

    A redemption is matched to the winning draw that issued its code; unmatched ones are left out.
    """
    if redeem_code.size == 0 or win_code.size == 0:
        return [None] * n_days
    order = np.argsort(win_code, kind="stable")
    sorted_codes = win_code[order]
    pos = np.clip(np.searchsorted(sorted_codes, redeem_code), 0, sorted_codes.size - 1)
    matched = sorted_codes[pos] == redeem_code
    delay = redeem_ts[matched] - win_ts[order[pos[matched]]]
    day = redeem_day[matched]
    out: list[int | None] = []
    for d in range(n_days):  # one step per day, not per event
        upto = delay[day <= d]
        out.append(int(np.median(upto)) if upto.size else None)
    return out


def counts_by(labels: np.ndarray, days: np.ndarray, n_days: int) -> list[dict[str, int]]:
    """For each day, how many events carry each label (empty labels left out)."""
    keep = (labels != "") & (days >= 0) & (days < n_days)
    names, index = np.unique(labels[keep], return_inverse=True)
    grid = per_day_channel(days[keep], index.reshape(-1), n_days, max(len(names), 1))
    return [{str(name): int(grid[d, i]) for i, name in enumerate(names) if grid[d, i]} for d in range(n_days)]


@dataclass
class Steps:
    """What ``metrics.compute`` has already worked out, handed on so nothing is computed twice."""

    bounds: np.ndarray
    visit_day: np.ndarray
    draw_day: np.ndarray
    pair_day: np.ndarray  # the distinct (day, player) pairs of the draws
    pair_player: np.ndarray
    first: np.ndarray  # each player's first playing day
    win_pairs: np.ndarray  # the distinct day * players + player keys of winning draws
    follows: np.ndarray  # which follows count
    unfollows: Unfollows


def fill(curves, cols, steps: Steps) -> None:
    """Add the per-channel curves, redemptions by store and staff, and the median delay to ``curves``."""
    n, k, p = curves.days, len(cols.channels), max(cols.players, 1)
    day = lambda ts: np.searchsorted(steps.bounds, ts, side="right") - 1  # noqa: E731
    scans = (cols.scan_player, cols.scan_ts, cols.scan_channel)
    visit = visit_channels(cols.channels, cols.visit_channel, cols.visit_player, cols.visit_ts, *scans)
    player = player_channels(cols.channels, p, cols.visit_player, cols.visit_ts, visit)
    follow = np.where(cols.follow_channel == PLAYER_CHANNEL, player[cols.follow_player], cols.follow_channel)
    counted, taken_back = steps.unfollows.counted, steps.unfollows.follow
    unfollow = follow[np.where(counted, taken_back, 0)] if follow.size else np.zeros(counted.size, dtype=np.int64)
    quick = counted.copy()
    quick[counted] = cols.unfollow_ts[counted] - cols.follow_ts[taken_back[counted]] <= UNFOLLOW_WINDOW_MS
    unfollow_day = day(cols.unfollow_ts)
    win_day, win_player = steps.win_pairs // p, steps.win_pairs % p
    grid = {
        "scans": per_day_channel(day(cols.scan_ts), cols.scan_channel, n, k),
        "existing_follower_scans": per_day_channel(
            day(cols.scan_ts[cols.scan_existing]), cols.scan_channel[cols.scan_existing], n, k
        ),
        "follows": per_day_channel(day(cols.follow_ts[steps.follows]), follow[steps.follows], n, k),
        "visits": per_day_channel(steps.visit_day, visit, n, k),
        "players": per_day_channel(steps.pair_day, player[steps.pair_player], n, k),
        "new_players": per_day_channel(steps.first, player[: steps.first.size], n, k),
        "plays": per_day_channel(steps.draw_day, player[cols.draw_player], n, k),
        "winners": per_day_channel(win_day, player[win_player], n, k),
        "new_winners": per_day_channel(first_of(win_day, win_player, n, p), player[:p], n, k),
        "claimed": per_day_channel(day(cols.claim_ts), player[cols.claim_player], n, k),
        "redeemed": per_day_channel(day(cols.coupon_redeemed_ts), player[cols.redeemed_player], n, k),
        "unfollows": per_day_channel(unfollow_day[counted], unfollow[counted], n, k),
        "unfollows_7d": per_day_channel(unfollow_day[quick], unfollow[quick], n, k),
    }
    grid["net_follower_gain"] = grid["follows"] - grid["unfollows"]
    curves.channel_keys = cols.channels
    curves.by_channel = {name: grid[name] for name in CHANNEL_METRICS}
    redeem_day = day(cols.coupon_redeemed_ts)
    curves.redeemed_by_store = counts_by(cols.redeemed_store, redeem_day, n)
    curves.redeemed_by_staff = counts_by(cols.redeemed_staff, redeem_day, n)
    curves.median_win_to_redemption_ms = median_delay(
        cols.win_code, cols.win_code_ts, cols.redeemed_code, cols.coupon_redeemed_ts, redeem_day, n
    )
