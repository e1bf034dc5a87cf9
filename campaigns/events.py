"""Participation events on each campaign's Redis Stream.

Every entry is a flat map of strings with these common fields:

- ``id``: unique within the campaign (``draw:<seq>`` for draws, a random hex id otherwise)
- ``type``: one of :data:`EVENT_TYPES`
- ``campaign``: the campaign id
- ``openid``: the follower's openid (stored, never exported raw)
- ``ts``: milliseconds since the epoch, UTC

plus the fields of its type (``draw``: ``seq player nonce client_seed drawn_tier
awarded_tier reason rules_version code player key``; ``follow``: ``scene channel``; ``visit``:
``ch`` when its URL carried one (a QR scene, ``menu`` or ``share``); coupon
events: ``code tier``). Everything but draws goes through :func:`append`.

The draw script appends draw entries itself, inside its atomic step, in a packed form
that costs Redis less: one field, named ``draw``, holding the other fields comma-separated
in :data:`DRAW_PARTS` order (each from a comma-free alphabet but the openid, which is
last and taken whole); ``id`` is ``draw:<seq>`` and ``campaign`` is the stream's. Its
first parts are the draw's answer (:func:`campaigns.draws.engine.parse_result`) without
the ``ok``, so the script writes that text once. Every reader goes through :func:`expand`,
which gives the flat map above. ``key`` (the draw's Idempotency-Key) is there so that
trimming the entry can delete the stored result it answers replays with.
"""

from __future__ import annotations

import secrets

from .keys import CampaignKeys
from .redisconn import registered_script

EVENT_TYPES = ("visit", "draw", "coupon_added", "coupon_redeemed", "follow", "unfollow")
# The events by which a winner claims a prize (a coupon added to the card wallet; a new way
# to claim, such as giving an address or being paid, adds its event type here): the
# "claimed" step of the results by placement (docs/metrics.md).
CLAIM_EVENT_TYPES = ("coupon_added",)


# The one layout of a draw, which the draw script (draw.lua) writes and every reader parses:
# the durable record of the draw, in order; the script's answer (after its "ok") is the record
# and then the player's counters, which are Redis state and not part of the event.
DRAW_RECORD = ("seq", "ts", "nonce", "client_seed", "drawn_tier", "awarded_tier", "reason", "rules_version", "code")
DRAW_COUNTERS = ("plays", "plays_today", "wins")
DRAW_ANSWER = (*DRAW_RECORD, *DRAW_COUNTERS)
# The stream entry's one field "draw": the record, then who drew with which Idempotency-Key.
DRAW_PARTS = (*DRAW_RECORD, "player", "key", "openid")
DRAW_NUMBERS = frozenset({"seq", "ts", "nonce", "rules_version", *DRAW_COUNTERS})


def expand(fields: dict[str, str], campaign_id: int) -> dict[str, str]:
    """A stream entry as the flat map of the layout above (a packed draw unpacked)."""
    packed = fields.get("draw")
    if packed is None:
        return fields
    parts = dict(zip(DRAW_PARTS, packed.split(",", len(DRAW_PARTS) - 1), strict=False))
    return {"id": "draw:" + parts["seq"], "type": "draw", "campaign": str(campaign_id), **parts}


def read(entries, campaign_id: int) -> list[tuple[str, dict[str, str]]]:
    """``(entry id, flat map)`` of stream entries as redis-py returns them."""
    return [(entry_id, expand(fields, campaign_id)) for entry_id, fields in entries]


def new_event_id() -> str:
    """A random, unique event id."""
    return secrets.token_hex(12)


def _entry(campaign_id: int, type: str, openid: str, ts_ms: int, event_id: str | None, fields) -> dict[str, str]:
    if type not in EVENT_TYPES:
        raise ValueError(f"unknown event type {type!r}")
    entry = {"id": event_id or new_event_id(), "type": type, "campaign": str(campaign_id), "openid": openid}
    entry["ts"] = str(ts_ms)
    entry.update({key: "" if value is None else str(value) for key, value in fields.items()})
    return entry


def append(redis, campaign_id: int, type: str, openid: str, ts_ms: int, event_id: str | None = None, **fields) -> str:
    """Append one event to the campaign's stream and return its event id."""
    entry = _entry(campaign_id, type, openid, ts_ms, event_id, fields)
    redis.xadd(CampaignKeys(campaign_id).events, entry)
    return entry["id"]


# KEYS: the campaign's events stream, its state hash. ARGV: the state field to read, then the entry's pairs.
APPEND_AND_READ = """
redis.call("XADD", KEYS[1], "*", unpack(ARGV, 2))
return redis.call("HGET", KEYS[2], ARGV[1])
"""


def append_and_read(redis, campaign_id: int, type: str, openid: str, ts_ms: int, read: str, **fields) -> str | None:
    """Append one event as :func:`append` does and read the campaign state's field ``read``: one command.

    (A page open appends its visit and reads the campaign's live status this way.)
    """
    entry = _entry(campaign_id, type, openid, ts_ms, None, fields)
    keys = CampaignKeys(campaign_id)
    pairs = [x for pair in entry.items() for x in pair]
    return registered_script(redis, APPEND_AND_READ)(keys=[keys.events, keys.state], args=[read, *pairs])
