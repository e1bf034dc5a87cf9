"""The follower's side of the draw engine: draw, the player's state, the client seed, their prizes."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import events
from ..catalog.models import Campaign
from ..catalog.status import status_from
from ..clock import Clock, iso_ms, to_ms
from ..context import Context
from ..coupons.services import claim_statuses, coupon_states
from ..crypto import SecretBox
from ..keys import CampaignKeys
from ..players.services import key_material, pseudonym
from . import engine, fairness, inventory
from .models import Draw
from .publish import is_revealed
from .published import PublishedCampaign, snapshot

# How many of the newest stream entries are searched for wins not yet in the SQL ledger.
STREAM_TAIL = 500


def fairness_for(session: Session, campaign: Campaign, secrets: SecretBox) -> engine.Fairness:
    """The campaign's seed and prize weights (what Python needs to compute picks)."""
    return snapshot(session, campaign, secrets).fairness


def player_of(ctx: Context, campaign: Campaign | PublishedCampaign, openid: str) -> str:
    """The follower's pseudonym in this campaign."""
    return pseudonym(key_material(ctx.settings), campaign.id, openid)


def _left(limit: int | None, used: int) -> int | None:
    return None if limit is None else max(limit - used, 0)


def _next_play_at(
    campaign: PublishedCampaign, now: datetime, today_left: int | None, total_left: int | None
) -> str | None:
    """When more plays come: the next local midnight, if the day's plays are used up and the campaign runs on."""
    if total_left == 0 or today_left != 0:
        return None
    zone = ZoneInfo(campaign.timezone)
    local = now.astimezone(zone).date() + timedelta(days=1)
    midnight = datetime(local.year, local.month, local.day, tzinfo=zone)
    return iso_ms(midnight) if to_ms(midnight) < campaign.ends_ms else None


def _out_of_prizes(campaign: PublishedCampaign, view: inventory.PlayerView) -> bool:
    prizes = [t for t in campaign.tiers if not t.is_fallback]
    return all(view.awarded.get(t.tier, 0) >= view.stock.get(t.tier, t.stock) for t in prizes)


def me(ctx: Context, campaign: PublishedCampaign, openid: str) -> dict[str, Any]:
    """The player's state in a campaign (their seed is made on first visit): one Redis round trip, no SQL."""
    now = ctx.clock.now()
    now_ms = to_ms(now)
    view = inventory.player_view(
        ctx.redis,
        campaign.id,
        player_of(ctx, campaign, openid),
        engine.new_client_seed(),
        fairness.local_day(campaign.timezone, now_ms),
        [t.tier for t in campaign.tiers if not t.is_fallback],
    )
    state = view.player
    today_left = _left(campaign.plays_per_day, view.plays_today)
    total_left = _left(campaign.plays_total, state.plays)
    return {
        "client_seed": state.client_seed,
        "next_nonce": state.nonce,
        "plays_left_today": today_left,
        "plays_left_total": total_left,
        "wins": state.wins,
        "next_play_at": _next_play_at(campaign, now, today_left, total_left),
        "out_of_prizes": _out_of_prizes(campaign, view),
        # The Redis status: pause, resume and end show at once; the snapshot's only where none is loaded.
        "status": status_from(view.status or campaign.status, now_ms, campaign.starts_ms, campaign.ends_ms),
        "starts_at": fairness.iso_ms(campaign.starts_ms),
        "ends_at": fairness.iso_ms(campaign.ends_ms),
        "server_seed_hash": campaign.server_seed_hash,
    }


def set_client_seed(ctx: Context, campaign: PublishedCampaign, openid: str, client_seed: Any) -> dict[str, Any]:
    """Change the player's client seed for their next draws; return :func:`me`."""
    engine.check_client_seed(client_seed)
    player = player_of(ctx, campaign, openid)
    inventory.set_client_seed(ctx.redis, campaign.id, player, client_seed)
    return me(ctx, campaign, openid)


def draw(
    ctx: Context, campaign: PublishedCampaign, openid: str, idempotency_key: str | None, client_seed: Any = None
) -> dict[str, Any]:
    """Draw once for the follower (or replay the draw of a repeated key); the contract's response body.

    It reads no SQL: ``campaign`` is the process's frozen snapshot, everything else is in Redis.
    """
    key = engine.check_idempotency_key(idempotency_key)
    player = player_of(ctx, campaign, openid)
    result = engine.run(
        ctx.redis,
        campaign.id,
        campaign.fairness,
        player=player,
        openid=openid,
        idempotency_key=key,
        client_seed=client_seed,
        now_ms=to_ms(ctx.clock.now()),
    )
    return draw_body(campaign, result)


def draw_body(campaign: PublishedCampaign, result: Mapping[str, Any]) -> dict[str, Any]:
    """The JSON body of a draw from the script's result."""
    tier = campaign.tier(result["awarded_tier"])
    code = result.get("code") or ""
    coupon = None
    if code:
        coupon = {"code": code, "kind": tier.coupon_kind, "card_id": tier.card_id, "step": tier.claim_step}
    return {
        "seq": result["seq"],
        "nonce": result["nonce"],
        "client_seed": result["client_seed"],
        "ts": fairness.iso_ms(int(result["ts"])),
        "drawn_tier": result["drawn_tier"],
        "awarded_tier": result["awarded_tier"],
        "reason": result["reason"] or None,
        "rules_version": result["rules_version"],
        "win": not tier.is_fallback,
        "prize": {
            "tier": tier.tier,
            "name": tier.name,
            "image": tier.image,
            "coupon_kind": tier.coupon_kind,
            "is_fallback": tier.is_fallback,
        },
        "coupon": coupon,
        "player": {
            "client_seed": result["client_seed"],
            "next_nonce": result["nonce"] + 1,
            "plays_left_today": _left(campaign.plays_per_day, int(result["plays_today"])),
            "plays_left_total": _left(campaign.plays_total, int(result["plays"])),
            "wins": result["wins"],
        },
    }


def _recent_wins(redis, campaign: Campaign, openid: str, fallback: str) -> list[dict[str, str]]:
    """The follower's wins still only in the stream (not yet ingested), newest entries only."""
    entries = events.read(redis.xrevrange(CampaignKeys(campaign.id).events, count=STREAM_TAIL), campaign.id)
    return [
        f
        for _, f in entries
        if f.get("type") == "draw" and f.get("openid") == openid and f.get("awarded_tier") != fallback
    ]


def prizes(ctx: Context, campaign: Campaign, openid: str) -> dict[str, Any]:
    """The follower's wins in this campaign, oldest first, with their coupons' states."""
    fallback = campaign.fallback_tier.tier if campaign.fallback_tier else ""
    wins = {
        d.seq: {"seq": d.seq, "ts": to_ms(d.ts), "tier": d.awarded_tier, "code": d.coupon_code or ""}
        for d in ctx.session.scalars(
            select(Draw).where(Draw.campaign_id == campaign.id, Draw.openid == openid, Draw.awarded_tier != fallback)
        )
    }
    for f in _recent_wins(ctx.redis, campaign, openid, fallback):
        wins.setdefault(
            int(f["seq"]),
            {"seq": int(f["seq"]), "ts": int(f["ts"]), "tier": f["awarded_tier"], "code": f.get("code", "")},
        )
    codes = [w["code"] for w in wins.values() if w["code"]]
    states = coupon_states(ctx.session, codes, ctx.clock)
    claims = claim_statuses(ctx, codes)
    tiers = {t.tier: t for t in campaign.tiers}
    ordered = sorted(wins.values(), key=lambda w: w["seq"])
    return {"prizes": [_won_prize(tiers[w["tier"]], w, states, claims) for w in ordered]}


def _won_prize(tier, win: dict, states: dict, claims: dict) -> dict[str, Any]:
    """One won prize for My prizes: its coupon's state, and its claim's state and next step."""
    coupon = None
    if win["code"]:
        coupon = {
            "code": win["code"],
            "kind": tier.coupon_kind,
            "card_id": tier.card_id,
            "state": _won_state(states.get(win["code"])),
        }
    claim = claims.get(win["code"])
    return {
        "seq": win["seq"],
        "ts": fairness.iso_ms(win["ts"]),
        "tier": tier.tier,
        "name": tier.name,
        "image": tier.image,
        "coupon": coupon,
        "claim": {"state": claim.state, "step": claim.step} if claim else None,
    }


def _won_state(state: str | None) -> str:
    """A won code's state; until the worker has ingested the draw, SQL still says ``available``."""
    return "issued" if state in (None, "available") else state


def revealed(campaign: Campaign, clock: Clock) -> bool:
    """Whether the campaign's seed is public now."""
    return is_revealed(campaign, clock.now())
