"""Which follows a campaign caused, and which unfollows take them back (docs/metrics.md)."""

from __future__ import annotations

import numpy as np

# A follow without a scene is the campaign's when the follower visited its game page this recently.
VISIT_WINDOW_MS = 24 * 3600 * 1000
# A follow's scene, as the metrics' columns code it: none, one of the campaign's, or another's.
NO_SCENE, CAMPAIGN_SCENE, OTHER_SCENE = 0, 1, 2
_TS_BITS = 40  # about 35 years of milliseconds relative to the earliest event
_TS_MASK = (1 << _TS_BITS) - 1


def _keys(player: np.ndarray, ts: np.ndarray, base: int) -> np.ndarray:
    # One int64 key orders by player, then time, so one searchsorted finds every "latest before".
    return (player.astype(np.int64) << _TS_BITS) | (ts.astype(np.int64) - base)


def latest_ts_at_or_before(ref_player, ref_ts, q_player, q_ts) -> np.ndarray:
    """For each query, the same player's latest reference time at or before it, or -1."""
    out = np.full(len(q_ts), -1, dtype=np.int64)
    if len(q_ts) == 0 or len(ref_ts) == 0:
        return out
    # Only the references of players who appear in the queries can match: drop the rest first.
    wanted = np.zeros(int(max(ref_player.max(), q_player.max())) + 1, dtype=bool)
    wanted[q_player] = True
    keep = wanted[ref_player]
    base = min(int(ref_ts.min()), int(q_ts.min()))
    ref = np.sort(_keys(ref_player[keep], ref_ts[keep], base))
    pos = np.searchsorted(ref, _keys(q_player, q_ts, base), side="right") - 1
    found = pos >= 0
    hit = ref[np.where(found, pos, 0)]
    found &= (hit >> _TS_BITS) == q_player
    out[found] = (hit[found] & _TS_MASK) + base
    return out


def latest_at_or_before(ref_player, ref_ts, q_player, q_ts) -> np.ndarray:
    """For each query, the index of the same player's latest reference at or before it, or -1."""
    if len(q_ts) == 0 or len(ref_ts) == 0:
        return np.full(len(q_ts), -1, dtype=np.int64)
    base = min(int(ref_ts.min()), int(q_ts.min()))
    ref_keys = _keys(ref_player, ref_ts, base)
    order = np.argsort(ref_keys, kind="stable")
    sorted_keys = ref_keys[order]
    pos = np.searchsorted(sorted_keys, _keys(q_player, q_ts, base), side="right") - 1
    found = pos >= 0
    safe = np.where(found, pos, 0)
    found &= (sorted_keys[safe] >> _TS_BITS) == q_player
    return np.where(found, order[safe], -1)


def attributed_follows(follow_player, follow_ts, follow_scene, visit_player, visit_ts) -> np.ndarray:
    """True for follows through one of the campaign's scenes, or with no scene after a visit within 24 hours."""
    no_scene = follow_scene == NO_SCENE
    visited = latest_ts_at_or_before(visit_player, visit_ts, follow_player[no_scene], follow_ts[no_scene])
    recent = np.zeros(len(follow_ts), dtype=bool)
    recent[no_scene] = (visited >= 0) & (follow_ts[no_scene] - visited <= VISIT_WINDOW_MS)
    return (follow_scene == CAMPAIGN_SCENE) | recent


def attributed_unfollows(unfollow_player, unfollow_ts, follow_player, follow_ts, follow_attributed) -> np.ndarray:
    """True for unfollows whose follower's latest follow (at or before it) was attributed to the campaign."""
    latest = latest_at_or_before(follow_player, follow_ts, unfollow_player, unfollow_ts)
    out = np.zeros(len(unfollow_ts), dtype=bool)
    has = latest >= 0
    out[has] = follow_attributed[latest[has]]
    return out
