"""Participation events on each campaign's Redis Stream.

Every entry is a flat map of strings with these common fields:

- ``id``: unique within the campaign (``draw:<seq>`` for draws, a random hex id otherwise)
- ``type``: one of :data:`EVENT_TYPES`
- ``campaign``: the campaign id
- ``openid``: the follower's openid (stored, never exported raw)
- ``ts``: milliseconds since the epoch, UTC

plus the fields of its type (``draw``: ``seq player nonce client_seed drawn_tier
awarded_tier reason rules_version code``; ``follow``: ``scene channel``; coupon
events: ``code tier``). The draw script appends draw events itself, with the same
layout, inside its atomic step; everything else goes through :func:`append`.
"""
from __future__ import annotations

import secrets

from .keys import CampaignKeys

EVENT_TYPES = ("visit", "draw", "coupon_added", "coupon_redeemed", "follow", "unfollow")


def new_event_id() -> str:
    """A random, unique event id."""
    return secrets.token_hex(12)


def append(redis, campaign_id: int, type: str, openid: str, ts_ms: int, event_id: str | None = None, **fields) -> str:
    """Append one event to the campaign's stream and return its event id."""
    if type not in EVENT_TYPES:
        raise ValueError(f"unknown event type {type!r}")
    event_id = event_id or new_event_id()
    entry = {"id": event_id, "type": type, "campaign": str(campaign_id), "openid": openid, "ts": str(ts_ms)}
    entry.update({key: "" if value is None else str(value) for key, value in fields.items()})
    redis.xadd(CampaignKeys(campaign_id).events, entry)
    return event_id
