"""Which follows a campaign caused, and which unfollows take them back (docs/metrics.md)."""
from __future__ import annotations

import numpy as np

# A follow without a scene is the campaign's when the follower visited its game page this recently.
VISIT_WINDOW_MS = 24 * 3600 * 1000
CAMPAIGN_SCENE = 1
_TS_BITS = 40  # about 35 years of milliseconds relative to the earliest event


def latest_at_or_before(ref_player, ref_ts, q_player, q_ts) -> np.ndarray:
    """For each query, the index of the same player's latest reference at or before it, or -1."""
    if len(q_ts) == 0 or len(ref_ts) == 0:
        return np.full(len(q_ts), -1, dtype=np.int64)
    base = min(int(ref_ts.min()), int(q_ts.min()))
    # One int64 key orders by player, then time, so one searchsorted finds every "latest before".
    ref_keys = (ref_player.astype(np.int64) << _TS_BITS) | (ref_ts.astype(np.int64) - base)
    q_keys = (q_player.astype(np.int64) << _TS_BITS) | (q_ts.astype(np.int64) - base)
    order = np.argsort(ref_keys, kind="stable")
    sorted_keys = ref_keys[order]
    pos = np.searchsorted(sorted_keys, q_keys, side="right") - 1
    found = pos >= 0
    safe = np.where(found, pos, 0)
    found &= (sorted_keys[safe] >> _TS_BITS) == q_player
    return np.where(found, order[safe], -1)


def attributed_follows(follow_player, follow_ts, follow_scene, visit_player, visit_ts) -> np.ndarray:
    """True for follows through one of the campaign's scenes, or with no scene after a visit within 24 hours."""
    by_scene = follow_scene == CAMPAIGN_SCENE
    latest = latest_at_or_before(visit_player, visit_ts, follow_player, follow_ts)
    visited = latest >= 0
    recent = np.zeros(len(follow_ts), dtype=bool)
    recent[visited] = follow_ts[visited] - visit_ts[latest[visited]] <= VISIT_WINDOW_MS
    return by_scene | ((follow_scene == 0) & recent)


def attributed_unfollows(unfollow_player, unfollow_ts, follow_player, follow_ts, follow_attributed) -> np.ndarray:
    """True for unfollows whose follower's latest follow (at or before it) was attributed to the campaign."""
    latest = latest_at_or_before(follow_player, follow_ts, unfollow_player, unfollow_ts)
    out = np.zeros(len(unfollow_ts), dtype=bool)
    has = latest >= 0
    out[has] = follow_attributed[latest[has]]
    return out
