"""The Redis state a campaign's draw script reads: written at publish, changed by pause, top-up and repair.

It is one hash per campaign (``CampaignKeys.state``), so a draw reads it with one HMGET
and writes it with one HSET: the status, the packed rules, each tier's packed release,
stock, daily cap and coupon kind, awarded counts, ``seq`` and each player's packed
state. Packed values are comma-separated; every part comes from a comma-free alphabet
(tiers, coupon kinds, client seeds, numbers). This module is the only Python that
packs or unpacks them; ``draw.lua`` is the only Lua.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ..keys import SEQ_FIELD, CampaignKeys, awarded_field, day_field, player_day_field, player_field, tier_field
from ..redisconn import registered_script
from . import fairness

# Redis statuses: "scheduled" is stored as "live" because the script compares the start itself.
REDIS_STATUS = {"scheduled": "live", "live": "live", "paused": "paused", "ended": "ended"}

# KEYS: state, moments prefix. ARGV: version, number of tier pairs, the pairs (tier field,
# packed tier with the new total), then winning-moment triples (tier, unit, ms) of the new units.
TOP_UP = """
local from_seq = tonumber(redis.call("HGET", KEYS[1], "seq") or 0) + 1
redis.call("HSET", KEYS[1], "rules_version", ARGV[1])
local pairs_end = 2 + 2 * tonumber(ARGV[2])
for i = 3, pairs_end, 2 do redis.call("HSET", KEYS[1], ARGV[i], ARGV[i + 1]) end
for i = pairs_end + 1, #ARGV, 3 do redis.call("ZADD", KEYS[2] .. ARGV[i], ARGV[i + 2], ARGV[i + 1]) end
return from_seq
"""
# KEYS: state. ARGV: player field, the player packed with a new client seed (kept if there is one
# already), then the other fields to read. Returns the player and those fields.
PLAYER_VIEW = """
redis.call("HSETNX", KEYS[1], ARGV[1], ARGV[2])
return redis.call("HMGET", KEYS[1], ARGV[1], unpack(ARGV, 3))
"""
# KEYS: state. ARGV: player field, new client seed. Keeps the rest of the player's state.
SET_SEED = """
local packed = redis.call("HGET", KEYS[1], ARGV[1])
local rest = packed and string.match(packed, "^[^,]*(,.*)$") or ",0,0,0,"
redis.call("HSET", KEYS[1], ARGV[1], ARGV[2] .. rest)
"""


@dataclass(frozen=True)
class Player:
    """A player's state in Redis."""

    client_seed: str | None
    nonce: int = 0
    plays: int = 0
    wins: int = 0
    last_ms: int | None = None


def pack_player(player: Player) -> str:
    """The packed value of a player's field."""
    last = "" if player.last_ms is None else str(player.last_ms)
    return f"{player.client_seed or ''},{player.nonce},{player.plays},{player.wins},{last}"


def unpack_player(packed: str | None) -> Player:
    """A player's state from the packed value (a player who never visited has none)."""
    if not packed:
        return Player(None)
    seed, nonce, plays, wins, last = packed.split(",")
    return Player(seed or None, int(nonce), int(plays), int(wins), int(last) if last else None)


def release_kind(release) -> str:
    """``all``, ``per_day`` or ``moments`` of a rules ``release`` value."""
    return "per_day" if isinstance(release, dict) else str(release)


def state_fields(document: dict, *, campaign_status: str, rules_version: int, min_interval_ms: int) -> dict[str, str]:
    """The published fields of a campaign's state hash from its rules document."""
    fields = {
        "status": REDIS_STATUS[campaign_status],
        "rules_version": str(rules_version),
        "tiers": ",".join(p["tier"] for p in document["prizes"]),
        "rules": pack_rules(document, min_interval_ms),
    }
    fields.update({tier_field(p["tier"]): pack_tier(p) for p in document["prizes"]})
    # Each local day's [start, end) ms, so the script can check a caller's guess of the day without a lookup.
    starts = sorted(day_starts(document).items(), key=lambda item: item[1])
    ends = [ms for _, ms in starts[1:]] + [fairness.parse_iso_ms(document["end"])]
    fields.update({day_field(label): f"{ms},{end}" for (label, ms), end in zip(starts, ends, strict=False)})
    return fields


RULES_PARTS = (
    "start_ms",
    "end_ms",
    "min_interval_ms",
    "plays_total",
    "plays_per_day",
    "wins_total",
    "fallback",
    "fallback_coupon",
    "moment_tiers",
)


def pack_rules(document: dict, min_interval_ms: int) -> str:
    """What the script needs of the rules, in :data:`RULES_PARTS` order (moment tiers space-separated)."""
    limits, fallback = document["limits"], document["fallback_tier"]
    parts = [
        fairness.parse_iso_ms(document["start"]),
        fairness.parse_iso_ms(document["end"]),
        min_interval_ms,
        _text(limits["plays_total"]),
        _text(limits["plays_per_day"]),
        _text(limits["wins_total"]),
        fallback,
        next(p["coupon"] for p in document["prizes"] if p["tier"] == fallback),
        " ".join(p["tier"] for p in document["prizes"] if p["release"] == "moments" and p["tier"] != fallback),
    ]
    return ",".join(str(part) for part in parts)


def unpack_rules(packed: str) -> dict[str, str]:
    """The parts of a packed ``rules`` field by name (as text)."""
    return dict(zip(RULES_PARTS, packed.split(","), strict=False))


def pack_tier(prize: dict, stock: int | None = None) -> str:
    """A tier's packed release kind, stock (``stock`` if given), daily cap and coupon kind."""
    release = prize["release"]
    cap = str(release["per_day"]) if isinstance(release, dict) else ""
    return f"{release_kind(release)},{prize['stock'] if stock is None else stock},{cap},{prize['coupon']}"


def unpack_stock(packed: str | None) -> int | None:
    """The stock part of a packed tier."""
    return None if not packed else int(packed.split(",")[1])


def day_starts(document: dict) -> dict[str, int]:
    """The ``days`` sorted set: each campaign-local day's label -> the UTC ms it begins (the first at the start)."""
    start_ms = fairness.parse_iso_ms(document["start"])
    bounds, labels = fairness.day_boundaries(document["timezone"], start_ms, fairness.parse_iso_ms(document["end"]))
    return dict(zip(labels, [start_ms, *bounds], strict=False))


def _text(value: int | None) -> str:
    return "" if value is None else str(value)


def moment_units(server_seed: str, document: dict, tier: str, stock: int, first: int = 0) -> dict[str, int]:
    """Unit -> release ms of a ``moments`` tier's units ``first`` … ``stock - 1``."""
    start_ms, end_ms = fairness.parse_iso_ms(document["start"]), fairness.parse_iso_ms(document["end"])
    instants = fairness.moments(server_seed, tier, stock, start_ms, end_ms, first=first)
    return {str(first + i): ms for i, ms in enumerate(instants)}


def load(
    redis,
    campaign_id: int,
    document: dict,
    *,
    server_seed: str,
    campaign_status: str,
    rules_version: int,
    codes: dict[str, list[str]],
    min_interval_ms: int,
    counts: dict[str, object] | None = None,
    awarded_units: dict[str, int] | None = None,
) -> None:
    """Write the whole published state of a campaign (replacing any earlier one, players included) in one transaction.

    A repair passes ``counts`` (seq, awarded, per-day and player fields rebuilt from the
    ledger) and ``awarded_units`` (per moments tier, how many units are already given:
    the earliest ones, as units are always awarded earliest-first).
    """
    keys = CampaignKeys(campaign_id)
    pipe = redis.pipeline(transaction=True)
    pipe.delete(keys.state, keys.days)
    pipe.hset(
        keys.state,
        mapping=state_fields(
            document, campaign_status=campaign_status, rules_version=rules_version, min_interval_ms=min_interval_ms
        ),
    )
    pipe.zadd(keys.days, day_starts(document))
    for prize in document["prizes"]:
        tier = prize["tier"]
        pipe.delete(keys.moments(tier), keys.codes(tier))
        if prize["release"] == "moments" and tier != document["fallback_tier"] and prize["stock"] > 0:
            pipe.zadd(keys.moments(tier), moment_units(server_seed, document, tier, prize["stock"]))
            if (awarded_units or {}).get(tier):
                pipe.zpopmin(keys.moments(tier), awarded_units[tier])
        if codes.get(tier):
            pipe.rpush(keys.codes(tier), *codes[tier])
    if counts:
        pipe.hset(keys.state, mapping=counts)
    pipe.execute()


def set_status(redis, campaign_id: int, status: str) -> None:
    """Tell the draw script the campaign is live, paused or ended."""
    redis.hset(CampaignKeys(campaign_id).state, "status", REDIS_STATUS[status])


def top_up(
    redis,
    campaign_id: int,
    rules_version: int,
    prizes: dict[str, dict],
    stock: dict[str, int],
    moments: dict[str, dict[str, int]] | None = None,
) -> int:
    """Switch the script to a new rules version with new stock totals (and moments); return its ``from_seq``.

    ``prizes`` are the new version's prizes by tier. Reading ``seq``, switching the
    version and adding the new winning moments happen in one script, so no draw falls
    between them: every draw from the returned ``from_seq`` on sees the new stock, and
    no earlier draw sees it.
    """
    keys = CampaignKeys(campaign_id)
    args: list[str] = [str(rules_version), str(len(stock))]
    for tier, total in stock.items():
        args += [tier_field(tier), pack_tier(prizes[tier], total)]
    for tier, units in (moments or {}).items():
        for unit, ms in units.items():
            args += [tier, unit, str(ms)]
    return int(redis.eval(TOP_UP, 2, keys.state, keys.moments_prefix, *args))


def set_client_seed(redis, campaign_id: int, player: str, client_seed: str) -> None:
    """Make ``client_seed`` the player's seed for their next draws (keeping the rest of their state)."""
    redis.eval(SET_SEED, 1, CampaignKeys(campaign_id).state, player_field(player), client_seed)


def player_state(redis, campaign_id: int, player: str) -> Player:
    """The player's state (no client seed before their first visit)."""
    return unpack_player(redis.hget(CampaignKeys(campaign_id).state, player_field(player)))


@dataclass(frozen=True)
class PlayerView:
    """What a follower's page shows of the Redis state."""

    player: Player
    plays_today: int
    awarded: dict[str, int]
    stock: dict[str, int]
    status: str | None  # the campaign's Redis status (live, paused, ended); None when its state is not loaded


def player_view(redis, campaign_id: int, player: str, client_seed: str, day: str, tiers: Iterable[str]) -> PlayerView:
    """The player's state (made with ``client_seed`` on their first visit), their plays on the
    campaign-local ``day`` (counted only where plays per day are limited), the awarded
    count and stock of ``tiers``, and the campaign's status: one round trip."""
    keys, tiers = CampaignKeys(campaign_id), list(tiers)
    fields = [player_day_field(day, player), "status", *map(awarded_field, tiers), *map(tier_field, tiers)]
    # One command rather than a pipeline of two: a pipeline costs the client a third more CPU.
    packed, today, status, *values = registered_script(redis, PLAYER_VIEW)(
        keys=[keys.state], args=[player_field(player), pack_player(Player(client_seed)), *fields]
    )
    awarded, stock = values[: len(tiers)], values[len(tiers) :]
    return PlayerView(
        unpack_player(packed),
        int(today or 0),
        {t: int(v) for t, v in zip(tiers, awarded, strict=False) if v is not None},
        {t: unpack_stock(v) for t, v in zip(tiers, stock, strict=False) if v is not None},
        status,
    )


def tiers(redis, campaign_id: int) -> list[str]:
    """The published tiers in order (empty if Redis holds no state for the campaign)."""
    order = redis.hget(CampaignKeys(campaign_id).state, "tiers")
    return order.split(",") if order else []


def _per_tier(redis, campaign_id: int, field) -> dict[str, str]:
    """The state hash's ``field(tier)`` of every published tier that has one."""
    names = tiers(redis, campaign_id)
    values = redis.hmget(CampaignKeys(campaign_id).state, [field(t) for t in names]) if names else []
    return {t: v for t, v in zip(names, values, strict=False) if v is not None}


def awarded(redis, campaign_id: int) -> dict[str, int]:
    """Awarded count per tier, as Redis holds them now (tiers never awarded are left out)."""
    return {t: int(v) for t, v in _per_tier(redis, campaign_id, awarded_field).items()}


def stock(redis, campaign_id: int) -> dict[str, int]:
    """Stock total per tier, as the script sees it now (top-ups included)."""
    return {t: unpack_stock(v) for t, v in _per_tier(redis, campaign_id, tier_field).items()}


def min_interval_ms(redis, campaign_id: int) -> int | None:
    """The rate limit the campaign was published with, or None if Redis holds no rules."""
    packed = redis.hget(CampaignKeys(campaign_id).state, "rules")
    return None if packed is None else int(unpack_rules(packed)["min_interval_ms"])


def reserve_seqs(redis, campaign_id: int, count: int) -> int:
    """Take ``count`` sequence numbers no draw will use (a simulated history); return the last."""
    return int(redis.hincrby(CampaignKeys(campaign_id).state, SEQ_FIELD, count))


def counters(redis, campaign_id: int) -> dict[str, object]:
    """Seq, awarded per tier and stream length, as Redis holds them now."""
    keys = CampaignKeys(campaign_id)
    return {
        "seq": int(redis.hget(keys.state, SEQ_FIELD) or 0),
        "awarded": awarded(redis, campaign_id),
        "stream_length": redis.xlen(keys.events),
    }


def tiers_with_codes(document: dict) -> Iterable[str]:
    """Tiers whose prize carries a coupon code."""
    return [p["tier"] for p in document["prizes"] if p["coupon"] != "none"]
