"""A realistic synthetic history for a campaign, appended through the real event path.

Weekday/weekend shape, a first-day burst, players coming back less and less, prizes
capped by stock, follows through the campaign's scenes or after a visit, some of them
taken back later, and coupons added and redeemed. Everything is drawn with numpy from
one seed and appended with :func:`campaigns.events.append`, so ingestion and the
statistics see exactly what real traffic would produce.
"""

from __future__ import annotations

import secrets as secrets_lib
from dataclasses import dataclass

import numpy as np

from .. import events
from ..draws import inventory
from ..players.pseudonym import hmac_pseudonym
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


def _awards(rng, day: np.ndarray, prizes: list[Prize]) -> tuple[np.ndarray, np.ndarray]:
    """Drawn and awarded tier index of draws in time order on ``day``.

    Wins past a tier's stock, or past its daily release (``{"per_day": N}``), become the fallback.
    """
    weights = np.array([p.weight for p in prizes], dtype=float)
    drawn = rng.choice(len(prizes), size=day.size, p=weights / weights.sum())
    awarded = drawn.copy()
    fallback = next(i for i, p in enumerate(prizes) if p.is_fallback)
    for i, prize in enumerate(prizes):
        if prize.is_fallback:
            continue
        mine = drawn == i
        if prize.per_day:
            # The n-th win of a day (in time order) is refused once n passes the daily release.
            nth = np.cumsum(mine)
            day_start = np.searchsorted(day, day, side="left")
            before = np.where(day_start > 0, nth[np.maximum(day_start - 1, 0)], 0)
            over_day = mine & (nth - before > prize.per_day)
            awarded[over_day] = fallback
            mine &= ~over_day
        awarded[mine & (np.cumsum(mine) > prize.stock)] = fallback
    return drawn, awarded


def simulate(redis, campaign_id: int, plan: Plan, players: int, key: bytes, seed: int = 7) -> dict[str, int]:
    """Append a synthetic history of ``players`` followers to the campaign's stream; return counts by type."""
    rng = np.random.default_rng(seed)
    openids = [f"osim{campaign_id}x{i:07d}" for i in range(players)]
    active = _active_days(rng, players, plan)
    player, ts = _draws(rng, active, plan)
    order = np.argsort(ts, kind="stable")
    player, ts = player[order], ts[order]
    live = ts < plan.now_ms
    player, ts = player[live], ts[live]
    drawn, awarded = _awards(rng, np.searchsorted(plan.bounds, ts, side="right") - 1, plan.prizes)
    out: list[tuple] = []
    out += _draw_events(player, ts, drawn, awarded, plan, redis, campaign_id)
    out += _visit_events(player, ts, rng, players, plan)
    out += _follow_events(rng, player, ts, plan)
    out += _coupon_events(rng, player, ts, awarded, plan)
    out.sort(key=lambda e: e[2])
    return _append(redis, campaign_id, out, openids, key)


def _draw_events(player, ts, drawn, awarded, plan: Plan, redis, campaign_id: int) -> list[tuple]:
    # Reserve real sequence numbers so later real draws never reuse a simulated draw's seq.
    last = inventory.reserve_seqs(redis, campaign_id, ts.size)
    seqs = np.arange(last - ts.size + 1, last + 1)
    order = np.lexsort((ts, player))
    nonce = np.empty(ts.size, dtype=np.int64)
    starts = np.r_[0, np.flatnonzero(np.diff(player[order])) + 1] if ts.size else np.zeros(0, dtype=np.int64)
    counts = np.diff(np.r_[starts, ts.size])
    nonce[order] = np.arange(ts.size) - np.repeat(starts, counts)
    names = [p.tier for p in plan.prizes]
    fallback = next(p.tier for p in plan.prizes if p.is_fallback)
    out = []
    for i in range(ts.size):
        award = names[awarded[i]]
        reason = "out_of_stock" if awarded[i] != drawn[i] else ""
        out.append(
            (
                "draw",
                int(player[i]),
                int(ts[i]),
                {
                    "seq": int(seqs[i]),
                    "nonce": int(nonce[i]),
                    "drawn_tier": names[drawn[i]],
                    "awarded_tier": award,
                    "reason": reason,
                    "rules_version": 1,
                    "code": "",
                    "win": award != fallback,
                },
            )
        )
    return out


def _visit_events(player, ts, rng, players: int, plan: Plan) -> list[tuple]:
    """A visit shortly before each player's first draw of a day, plus visitors who never play."""
    day = np.searchsorted(plan.bounds, ts, side="right") - 1
    key = day * players + player
    # A stable sort keeps each player-day's draws in time order, so the first of a group is the earliest.
    order = np.argsort(key, kind="stable")
    first_of_day = order[np.r_[True, key[order][1:] != key[order][:-1]]] if key.size else order
    out = [("visit", int(player[i]), int(ts[i]) - 40_000, {}) for i in first_of_day]
    lookers = rng.choice(players, size=players // 8, replace=False)
    at = plan.bounds[0] + rng.integers(0, max(plan.now_ms - int(plan.bounds[0]), 1), size=lookers.size)
    out += [("visit", int(p), int(t), {}) for p, t in zip(lookers, at, strict=False)]
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
        out.append(("follow", int(player[i]), at, {"scene": scene, "channel": ""}))
        if rng.random() < 0.12:
            gone = at + int(rng.exponential(3 * DAY_MS))
            if gone < plan.now_ms:
                out.append(("unfollow", int(player[i]), gone, {}))
    return out


def _coupon_events(rng, player, ts, awarded, plan: Plan) -> list[tuple]:
    """Coupons of winning draws: most are added to the wallet, about half of those redeemed later."""
    coupon = np.array([p.coupon and not p.is_fallback for p in plan.prizes])
    out = []
    for i in np.flatnonzero(coupon[awarded]):
        tier = plan.prizes[awarded[i]].tier
        code = f"SIM{secrets_lib.token_hex(5).upper()}"
        if rng.random() < 0.7:
            added = int(ts[i]) + 300_000
            out.append(("coupon_added", int(player[i]), added, {"code": code, "tier": tier}))
            redeemed = added + int(rng.uniform(0.3, 3) * DAY_MS)
            if rng.random() < 0.5 and redeemed < plan.now_ms:
                out.append(("coupon_redeemed", int(player[i]), redeemed, {"code": code, "tier": tier}))
    return out


def _append(redis, campaign_id: int, out: list[tuple], openids: list[str], key: bytes) -> dict[str, int]:
    """Append the events in time order, in pipelined chunks."""
    counts: dict[str, int] = {}
    seeds = {}
    for start in range(0, len(out), 5000):
        with redis.pipeline(transaction=False) as pipe:
            for kind, player, at, fields in out[start : start + 5000]:
                openid = openids[player]
                extra = dict(fields)
                event_id = None
                if kind == "draw":
                    extra.pop("win")
                    event_id = f"draw:{extra['seq']}"
                    extra["player"] = hmac_pseudonym(key, openid)
                    extra["client_seed"] = seeds.setdefault(player, secrets_lib.token_hex(8))
                events.append(pipe, campaign_id, kind, openid, at, event_id=event_id, **extra)
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
