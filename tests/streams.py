"""Draw entries on a campaign's stream as the worker reads them, for tests that feed the recorder directly."""

from __future__ import annotations

from campaigns import events


def append_draw(redis, campaign_id: int, seq: int, openid: str, ts_ms: int, player: str, **fields) -> str:
    """Append draw ``seq`` of ``player`` (``openid``) at ``ts_ms``: a fallback draw unless ``fields`` say otherwise."""
    record = {
        "seq": seq,
        "player": player,
        "nonce": seq,
        "client_seed": "s",
        "drawn_tier": "none",
        "awarded_tier": "none",
        "reason": "",
        "rules_version": 1,
        "code": "",
    }
    return events.append(redis, campaign_id, "draw", openid, ts_ms, event_id=f"draw:{seq}", **(record | fields))
