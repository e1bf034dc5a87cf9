"""The Redis state a campaign's draw script reads: written at publish, changed by pause, top-up and repair."""
from __future__ import annotations

from typing import Iterable

from ..keys import CampaignKeys
from . import fairness

# How long a stored draw result answers a repeated Idempotency-Key (seconds).
IDEMPOTENCY_TTL_S = 7 * 24 * 3600
# Redis statuses: "scheduled" is stored as "live" because the script compares the start itself.
REDIS_STATUS = {"scheduled": "live", "live": "live", "paused": "paused", "ended": "ended"}

# KEYS: state, tiers, seq, moments prefix. ARGV: version, number of stock pairs, the pairs
# (tier, total), then winning-moment triples (tier, unit, ms) of the new units.
TOP_UP = """
local from_seq = tonumber(redis.call("GET", KEYS[3]) or 0) + 1
redis.call("HSET", KEYS[1], "rules_version", ARGV[1])
local pairs_end = 2 + 2 * tonumber(ARGV[2])
for i = 3, pairs_end, 2 do redis.call("HSET", KEYS[2], ARGV[i] .. ":stock", ARGV[i + 1]) end
for i = pairs_end + 1, #ARGV, 3 do redis.call("ZADD", KEYS[4] .. ARGV[i], ARGV[i + 2], ARGV[i + 1]) end
return from_seq
"""


def release_kind(release) -> str:
    """``all``, ``per_day`` or ``moments`` of a rules ``release`` value."""
    return "per_day" if isinstance(release, dict) else str(release)


def state_fields(document: dict, *, campaign_status: str, rules_version: int, min_interval_ms: int) -> dict[str, str]:
    """The ``state`` hash of a campaign from its rules document."""
    start_ms = fairness.parse_iso_ms(document["start"])
    end_ms = fairness.parse_iso_ms(document["end"])
    limits = document["limits"]
    return {
        "status": REDIS_STATUS[campaign_status], "start_ms": str(start_ms), "end_ms": str(end_ms),
        "rules_version": str(rules_version), "fallback": document["fallback_tier"],
        "tiers": ",".join(p["tier"] for p in document["prizes"]),
        # What the script needs without reading the whole tier table on every draw.
        "moment_tiers": ",".join(p["tier"] for p in document["prizes"]
                                 if p["release"] == "moments" and p["tier"] != document["fallback_tier"]),
        "fallback_coupon": next(p["coupon"] for p in document["prizes"] if p["tier"] == document["fallback_tier"]),
        "plays_per_day": _text(limits["plays_per_day"]), "plays_total": _text(limits["plays_total"]),
        "wins_total": _text(limits["wins_total"]), "min_interval_ms": str(min_interval_ms),
    }


def day_starts(document: dict) -> dict[str, int]:
    """The ``days`` sorted set: each campaign-local day's label -> the UTC ms it begins (the first at the start)."""
    start_ms = fairness.parse_iso_ms(document["start"])
    bounds, labels = fairness.day_boundaries(document["timezone"], start_ms, fairness.parse_iso_ms(document["end"]))
    return dict(zip(labels, [start_ms, *bounds]))


def _text(value: int | None) -> str:
    return "" if value is None else str(value)


def tier_fields(document: dict) -> dict[str, str]:
    """The ``tiers`` hash: stock, release kind, per-day cap and coupon kind of every tier."""
    fields: dict[str, str] = {}
    for prize in document["prizes"]:
        tier, release = prize["tier"], prize["release"]
        fields[f"{tier}:stock"] = str(prize["stock"])
        fields[f"{tier}:release"] = release_kind(release)
        fields[f"{tier}:per_day"] = str(release["per_day"]) if isinstance(release, dict) else ""
        fields[f"{tier}:coupon"] = prize["coupon"]
    return fields


def moment_units(server_seed: str, document: dict, tier: str, stock: int, first: int = 0) -> dict[str, int]:
    """Unit -> release ms of a ``moments`` tier's units ``first`` … ``stock - 1``."""
    start_ms, end_ms = fairness.parse_iso_ms(document["start"]), fairness.parse_iso_ms(document["end"])
    instants = fairness.moments(server_seed, tier, stock, start_ms, end_ms, first=first)
    return {str(first + i): ms for i, ms in enumerate(instants)}


def load(redis, campaign_id: int, document: dict, *, server_seed: str, campaign_status: str, rules_version: int,
         codes: dict[str, list[str]], min_interval_ms: int) -> None:
    """Write the whole published state of a campaign (replacing any earlier one) in one transaction."""
    keys = CampaignKeys(campaign_id)
    pipe = redis.pipeline(transaction=True)
    pipe.delete(keys.state, keys.tiers, keys.days)
    pipe.hset(keys.state, mapping=state_fields(document, campaign_status=campaign_status,
                                               rules_version=rules_version, min_interval_ms=min_interval_ms))
    pipe.hset(keys.tiers, mapping=tier_fields(document))
    pipe.zadd(keys.days, day_starts(document))
    for prize in document["prizes"]:
        tier = prize["tier"]
        pipe.delete(keys.moments(tier), keys.codes(tier))
        if prize["release"] == "moments" and tier != document["fallback_tier"] and prize["stock"] > 0:
            pipe.zadd(keys.moments(tier), moment_units(server_seed, document, tier, prize["stock"]))
        if codes.get(tier):
            pipe.rpush(keys.codes(tier), *codes[tier])
    pipe.setnx(keys.seq, 0)
    pipe.execute()


def set_status(redis, campaign_id: int, status: str) -> None:
    """Tell the draw script the campaign is live, paused or ended."""
    redis.hset(CampaignKeys(campaign_id).state, "status", REDIS_STATUS[status])


def top_up(redis, campaign_id: int, rules_version: int, stock: dict[str, int],
           moments: dict[str, dict[str, int]] | None = None) -> int:
    """Switch the script to a new rules version with new stock totals (and moments); return its ``from_seq``.

    Reading ``seq``, switching the version and adding the new winning moments happen in
    one script, so no draw falls between them: every draw from the returned
    ``from_seq`` on sees the new stock, and no earlier draw sees it.
    """
    keys = CampaignKeys(campaign_id)
    args: list[str] = [str(rules_version), str(len(stock))]
    for tier, total in stock.items():
        args += [tier, str(total)]
    for tier, units in (moments or {}).items():
        for unit, ms in units.items():
            args += [tier, unit, str(ms)]
    return int(redis.eval(TOP_UP, 4, keys.state, keys.tiers, keys.seq, keys.moments_prefix, *args))


def counters(redis, campaign_id: int) -> dict[str, object]:
    """Seq, awarded per tier and stream length, as Redis holds them now."""
    keys = CampaignKeys(campaign_id)
    pipe = redis.pipeline(transaction=False)
    pipe.get(keys.seq)
    pipe.hgetall(keys.awarded)
    pipe.xlen(keys.events)
    seq, awarded, length = pipe.execute()
    return {"seq": int(seq or 0), "awarded": {k: int(v) for k, v in awarded.items()}, "stream_length": length}


def tiers_with_codes(document: dict) -> Iterable[str]:
    """Tiers whose prize carries a coupon code."""
    return [p["tier"] for p in document["prizes"] if p["coupon"] != "none"]
