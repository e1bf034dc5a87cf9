"""A realistic synthetic history for a published campaign, made through the real event path.

Weekday/weekend shape, a first-day burst, players coming back less and less, visits by
placement (QR channels, shared links, the menu, direct), follows through the campaign's
scenes or after a visit, some taken back later, and coupons added and redeemed. Who
plays when is drawn with numpy from one seed; every draw then goes through the real draw
script at its simulated instant (so stock, the ledger and verification stay right), and
the other events are appended with :func:`campaigns.events.append`, so ingestion and the
statistics see exactly what real traffic would produce.
"""

from __future__ import annotations

import secrets as secrets_lib
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from sqlalchemy import update

from .. import events
from ..clock import from_ms
from ..coupons.models import CouponCode
from ..draws import engine
from ..draws.services import fairness_for
from ..errors import InvalidInput, LimitReached, RateLimited
from ..players.services import key_material, pseudonym
from ..recorder import ingest_campaign
from .days import campaign_calendar, local_midnights_ms

HOUR_MS = 3_600_000
DAY_MS = 24 * HOUR_MS


@dataclass(frozen=True)
class Prize:
    """What the simulation needs of a prize tier."""

    tier: str
    weight: int
    stock: int
    is_fallback: bool
    coupon: bool
    per_day: int | None = None


@dataclass(frozen=True)
class Plan:
    """The simulated campaign: its day boundaries (UTC ms), weekends, prizes, scenes and the present."""

    bounds: np.ndarray
    weekend: np.ndarray
    prizes: list[Prize]
    scenes: list[str]
    now_ms: int
    plays_per_day: int = 3


def _active_days(rng, players: int, plan: Plan) -> np.ndarray:
    """A players x days matrix: True where the player plays that day (first-day burst, weekday shape, decay)."""
    days = len(plan.weekend)
    day_factor = np.where(plan.weekend, 0.6, 1.0)
    join_p = day_factor * 0.8 ** np.arange(days)
    join_p[0] *= 4.0  # the launch-day burst
    join = rng.choice(days, size=players, p=join_p / join_p.sum())
    since = np.arange(days)[None, :] - join[:, None]
    come_back = 0.45 * 0.88 ** np.maximum(since, 0) * day_factor[None, :]
    return (since == 0) | ((since > 0) & (rng.random((players, days)) < come_back))


def _draws(rng, active: np.ndarray, plan: Plan) -> tuple[np.ndarray, np.ndarray]:
    """Player and UTC ms of every draw: 1..plays_per_day a day, between 08:00 and 23:00 local."""
    player, day = np.nonzero(active)
    plays = 1 + rng.binomial(plan.plays_per_day - 1, 0.35, size=player.size)
    player, day = np.repeat(player, plays), np.repeat(day, plays)
    ts = plan.bounds[day] + rng.integers(8 * HOUR_MS, 23 * HOUR_MS, size=player.size)
    return player, ts


def _draws_through_the_script(redis, fair, campaign_id: int, player, ts, openids, players_of) -> list[dict]:
    """Run every draw through the real draw script at its simulated instant, in time order.

    The script decides everything as for a live draw (stock, daily release, limits, the
    commitment's picks) and appends the draw event itself, so the ledger, the inventory
    and ``flask campaigns verify`` agree. Refusals (a daily limit, too fast) are simply not draws.
    """
    results = []
    for i in range(ts.size):
        openid = openids[int(player[i])]
        try:
            result = engine.run(
                redis,
                campaign_id,
                fair,
                player=players_of(openid),
                openid=openid,
                idempotency_key=f"sim-{secrets_lib.token_hex(12)}",
                at_ms=int(ts[i]),
            )
        except (LimitReached, RateLimited):
            continue
        results.append({"index": i, **result})
    return results


def simulate(
    redis, fair, campaign_id: int, plan: Plan, players: int, players_of: Callable[[str], str], seed: int = 7
) -> tuple[dict[str, int], list[tuple]]:
    """Simulate ``players`` followers of a published campaign up to ``plan.now_ms``.

    Returns the counts by event type and the coupon events as ``(type, code, ts_ms, store)``.

    ``fair`` is the campaign's :class:`campaigns.draws.engine.Fairness` and ``players_of``
    gives a follower's pseudonym (the ledger's ``player``).
    """
    rng = np.random.default_rng(seed)
    openids = [f"osim{campaign_id}x{i:07d}" for i in range(players)]
    active = _active_days(rng, players, plan)
    player, ts = _draws(rng, active, plan)
    order = np.argsort(ts, kind="stable")
    player, ts = player[order], ts[order]
    live = (ts < plan.now_ms) & (ts >= plan.bounds[0])
    player, ts = player[live], ts[live]
    results = _draws_through_the_script(redis, fair, campaign_id, player, ts, openids, players_of)
    done = np.array([r["index"] for r in results], dtype=np.int64)
    player, ts = player[done], ts[done]
    out: list[tuple] = []
    out += _visit_events(player, ts, rng, players, plan)
    out += _follow_events(rng, player, ts, plan)
    out += _coupon_events(rng, player, ts, [r.get("code") or "" for r in results], results, plan)
    out.sort(key=lambda e: e[2])
    counts = _append(redis, campaign_id, out, openids)
    counts["draw"] = len(results)
    coupons = [(kind, f["code"], at, f.get("store")) for kind, _, at, f in out if kind.startswith("coupon_")]
    return counts, coupons


def _visit_events(player, ts, rng, players: int, plan: Plan) -> list[tuple]:
    """A visit shortly before each player's first draw of a day, plus visitors who never play."""
    day = np.searchsorted(plan.bounds, ts, side="right") - 1
    key = day * players + player
    # A stable sort keeps each player-day's draws in time order, so the first of a group is the earliest.
    order = np.argsort(key, kind="stable")
    first_of_day = order[np.r_[True, key[order][1:] != key[order][:-1]]] if key.size else order
    # Each follower keeps one placement: a QR channel's scene, a shared link, the menu, or none (direct).
    places = [*plan.scenes, "share", "menu", ""]
    weights = np.array([3.0] * len(plan.scenes) + [2.0, 1.0, 1.5])
    placement = rng.choice(len(places), size=players, p=weights / weights.sum())
    ch = lambda p: {"ch": places[placement[p]]} if places[placement[p]] else {}  # noqa: E731
    out = [("visit", int(player[i]), int(ts[i]) - 40_000, ch(int(player[i]))) for i in first_of_day]
    lookers = rng.choice(players, size=players // 8, replace=False)
    at = plan.bounds[0] + rng.integers(0, max(plan.now_ms - int(plan.bounds[0]), 1), size=lookers.size)
    out += [("visit", int(p), int(t), ch(int(p))) for p, t in zip(lookers, at, strict=False)]
    return out


def _follow_events(rng, player, ts, plan: Plan) -> list[tuple]:
    """A third of the players follow on their first draw (by a scene, or after the visit); some unfollow later."""
    first = np.unique(player, return_index=True)[1]
    follows = first[rng.random(first.size) < 0.35]
    out = []
    for i in follows:
        by_scene = plan.scenes and rng.random() < 0.6
        at = int(ts[i]) - 60_000 if by_scene else int(ts[i]) + 120_000
        scene = plan.scenes[rng.integers(len(plan.scenes))] if by_scene else ""
        out.append(("follow", int(player[i]), at, {"scene": scene, "channel": "", "via": "subscribe"}))
        if by_scene and rng.random() < 0.3:
            # Some come back through the QR code later: an existing follower's SCAN.
            again = at + int(rng.uniform(0.5, 4) * DAY_MS)
            if again < plan.now_ms:
                out.append(("follow", int(player[i]), again, {"scene": scene, "channel": "", "via": "scan"}))
        if rng.random() < 0.12:
            gone = at + int(rng.exponential(3 * DAY_MS))
            if gone < plan.now_ms:
                out.append(("unfollow", int(player[i]), gone, {}))
    return out


def _coupon_events(rng, player, ts, codes: list[str], results: list[dict], plan: Plan) -> list[tuple]:
    """Coupons of winning draws (the codes the script handed out): most added to the wallet, half of those redeemed."""
    stores = ("南京路店", "人民广场店", "陆家嘴店")
    out = []
    for i, code in enumerate(codes):
        if not code:
            continue
        tier = results[i]["awarded_tier"]
        if rng.random() < 0.7:
            added = int(ts[i]) + 300_000
            out.append(("coupon_added", int(player[i]), added, {"code": code, "tier": tier}))
            redeemed = added + int(rng.uniform(0.3, 3) * DAY_MS)
            if rng.random() < 0.5 and redeemed < plan.now_ms:
                store = int(rng.integers(len(stores)))
                where = {"store": stores[store], "staff": f"link:{store + 1}"}
                out.append(("coupon_redeemed", int(player[i]), redeemed, {"code": code, "tier": tier, **where}))
    return out


def _append(redis, campaign_id: int, out: list[tuple], openids: list[str]) -> dict[str, int]:
    """Append the events in time order, in pipelined chunks."""
    counts: dict[str, int] = {}
    for start in range(0, len(out), 5000):
        with redis.pipeline(transaction=False) as pipe:
            for kind, player, at, fields in out[start : start + 5000]:
                events.append(pipe, campaign_id, kind, openids[player], at, **fields)
                counts[kind] = counts.get(kind, 0) + 1
            pipe.execute()
    return counts


def plan_for(campaign, days: int, now_ms: int) -> Plan:
    """The simulation plan of a campaign's first ``days`` days (its prize tiers and channel scenes)."""
    calendar = campaign_calendar(campaign.starts_at, campaign.ends_at, campaign.timezone, tail_days=0)
    days = max(1, min(days, calendar.days))
    bounds = local_midnights_ms(calendar.first, days, campaign.timezone)
    weekend = np.array([calendar.date(i).weekday() >= 5 for i in range(days)], dtype=bool)
    prizes = [
        Prize(
            t.tier,
            t.weight,
            t.stock,
            t.is_fallback,
            t.coupon_kind != "none",
            t.release.get("per_day") if isinstance(t.release, dict) else None,
        )
        for t in campaign.tiers
    ]
    return Plan(
        bounds=bounds,
        weekend=weekend,
        prizes=prizes,
        scenes=[c.scene for c in campaign.channels],
        now_ms=now_ms,
        plays_per_day=campaign.plays_per_day or 3,
    )


def simulate_published(
    session, redis, secrets, settings, campaign, days: int, players: int, now_ms: int, seed: int = 7
) -> dict[str, int]:
    """Simulate a published campaign's first ``days`` days up to ``now_ms`` through the real draw script.

    A draft is refused: without a commitment there is no draw to run. Dates are never moved,
    so the history covers only the part of those days before ``now_ms``. The events are
    ingested, and the coupons the simulated winners added or redeemed are marked so in SQL.
    """
    if campaign.published_at is None:
        raise InvalidInput("Publish the campaign first: a simulated history draws through its commitment.")
    fair = fairness_for(session, campaign, secrets)
    material = key_material(settings)
    plan = plan_for(campaign, days, now_ms)
    counts, coupons = simulate(
        redis, fair, campaign.id, plan, players, lambda openid: pseudonym(material, campaign.id, openid), seed=seed
    )
    # Bigger batches than the worker's: a bulk load wants fewer commits.
    ingest_campaign(session, redis, campaign.id, "simulate", time_budget_s=3600, count=5000)
    _settle_coupons(session, campaign, coupons)
    return counts


def _settle_coupons(session, campaign, coupons: list[tuple]) -> None:
    """Mark the simulated coupons added or redeemed, as the coupon services would have (the ledger issued them)."""
    tier_ids = [t.id for t in campaign.tiers]
    for kind, code, at, store in coupons:
        if kind == "coupon_added":
            values = {"state": "added", "added_at": from_ms(at)}
        else:
            values = {"state": "redeemed", "redeemed_at": from_ms(at), "redeemed_by": store}
        session.execute(
            update(CouponCode).where(CouponCode.code == code, CouponCode.tier_id.in_(tier_ids)).values(**values)
        )
    session.commit()
