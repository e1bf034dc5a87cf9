"""Loading a campaign's ingested events from SQL as the numpy columns of ``metrics``."""

from __future__ import annotations

import numpy as np
from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from ..catalog.models import Campaign, Channel, PrizeTier
from ..events import CLAIM_EVENT_TYPES
from ..wechat.qr import CAMPAIGN_SCENE_PREFIX
from . import channels as ch
from .attribution import CAMPAIGN_SCENE, NO_SCENE, OTHER_SCENE
from .metrics import Columns

SCAN = "scan"


# One query column per field the metrics read; the JSON fields are extracted by the database.
FIELDS = ("kind", "openid", "ts", "tier", "via", "scene", "ch", "code", "store", "staff")
# The event types that carry each JSON field the metrics read.
FIELD_KINDS = {
    "tier": ("draw", "awarded_tier"),
    "via": ("follow", "via"),
    "scene": ("follow", "scene"),
    "ch": ("visit", "ch"),
    "code": ("draw", "code"),
    "store": ("coupon_redeemed", "store"),
    "staff": ("coupon_redeemed", "staff"),
}


def _query(campaign_id: int):
    from .models import Event

    def field(kind: str, name: str):
        # Only the events of ``kind`` carry the field: the others skip parsing their JSON.
        return case((Event.type == kind, func.coalesce(Event.data[name].as_string(), "")), else_="")

    # A redemption's code links it to its draw (the median delay), so redemptions read it too.
    code = case(
        (Event.type.in_(("draw", "coupon_redeemed")), func.coalesce(Event.data["code"].as_string(), "")), else_=""
    )
    fields = [code if name == "code" else field(*FIELD_KINDS[name]) for name in FIELDS[3:]]
    return select(Event.type, Event.openid, Event.ts_ms, *fields).where(Event.campaign_id == campaign_id)


def _fetch_columns(session: Session, campaign_id: int) -> dict[str, np.ndarray]:
    """The campaign's events as one numpy array per field of :data:`FIELDS`, fetched in one pass."""
    # Core rows (the connection, not the ORM layer); zip transposes them into column tuples in C.
    rows = session.connection().execute(_query(campaign_id)).all()
    values = list(zip(*rows, strict=False)) if rows else [()] * len(FIELDS)
    return {
        name: np.array(column, dtype=np.int64 if name == "ts" else str)
        for name, column in zip(FIELDS, values, strict=False)
    }


def columns_from_rows(rows: list[tuple], tiers: list[str], fallback: str | None, scenes: set[str]) -> Columns:
    """Columns from ``(type, openid, ts_ms, data)`` rows (hand-made events); see :func:`columns_from_arrays`."""
    data = [r[3] or {} for r in rows]
    arrays = {
        "kind": np.array([r[0] for r in rows], dtype=str),
        "openid": np.array([r[1] for r in rows], dtype=str),
        "ts": np.array([r[2] for r in rows], dtype=np.int64),
        **{name: np.array([str(d.get(key) or "") for d in data], dtype=str) for name, (_, key) in FIELD_KINDS.items()},
    }
    return columns_from_arrays(arrays, tiers, fallback, scenes)


def _tier_ids(drawn: np.ndarray, tiers: list[str]) -> tuple[tuple[str, ...], np.ndarray]:
    """Each draw's index into the tiers, extended by tiers not in the rules in order of first appearance."""
    names, first, inverse = np.unique(drawn, return_index=True, return_inverse=True)
    known = list(tiers)
    known += [str(names[i]) for i in np.argsort(first, kind="stable") if str(names[i]) not in known]
    index = np.array([known.index(str(name)) for name in names], dtype=np.int64)
    return tuple(known), index[inverse.reshape(-1)]


def _codes(values: np.ndarray, table: dict[str, int], default: int) -> np.ndarray:
    """Each string's code from ``table`` (``default`` for the others), looked up once per distinct string."""
    names, inverse = np.unique(values, return_inverse=True)
    lookup = np.array([table.get(str(name), default) for name in names], dtype=np.int64)
    return lookup[inverse.reshape(-1)] if names.size else np.zeros(0, dtype=np.int64)


def placement_tables(channel_scenes: list[str], prompt_scenes: set[str]) -> dict[str, dict[str, int]]:
    """How a visit's ``ch`` and a push's scene map to channel codes (docs/metrics.md, "Channels")."""
    keys = (*channel_scenes, *ch.FIXED)
    own = {scene: i for i, scene in enumerate(channel_scenes)}
    fixed = {name: ch.fixed_code(keys, name) for name in ch.FIXED}
    return {
        "ch": {"": ch.NO_CHANNEL, **own, ch.SHARE: fixed[ch.SHARE], ch.MENU: fixed[ch.MENU]},
        # The campaign's follow prompt is not a placement: no scan, and its follows go to the player's channel.
        "scan": {"": ch.NO_CHANNEL, **own, **dict.fromkeys(prompt_scenes, ch.NO_CHANNEL)},
        "follow": {"": fixed[ch.DIRECT], **own, **dict.fromkeys(prompt_scenes, ch.PLAYER_CHANNEL)},
    }


def columns_from_arrays(
    arrays: dict[str, np.ndarray],
    tiers: list[str],
    fallback: str | None,
    scenes: set[str],
    channel_scenes: list[str] | None = None,
) -> Columns:
    """Columns from one array per field of :data:`FIELDS`; openids become dense player numbers.

    ``scenes`` are every scene of the campaign (its channels' and its follow prompt's);
    ``channel_scenes`` its channels' in their order (by default the sorted non-prompt scenes).
    """
    kind, ts = arrays["kind"], arrays["ts"]
    empty = np.full(kind.size, "", dtype=str)
    arrays = {name: arrays.get(name, empty) for name in FIELDS}
    prompts = {s for s in scenes if s.startswith(CAMPAIGN_SCENE_PREFIX)}
    channel_scenes = channel_scenes if channel_scenes is not None else sorted(set(scenes) - prompts)
    keys = (*channel_scenes, *ch.FIXED)
    tables, other = placement_tables(channel_scenes, prompts), ch.fixed_code(keys, ch.OTHER)
    # Sorting strings groups equal openids; return_inverse gives each row its player number.
    names, player = np.unique(arrays["openid"], return_inverse=True)
    player = player.astype(np.int64).reshape(-1)
    visit, draw, unfollow = kind == "visit", kind == "draw", kind == "unfollow"
    redeemed, claim = kind == "coupon_redeemed", np.isin(kind, CLAIM_EVENT_TYPES)
    # A SCAN push is an existing follower scanning a QR code: recorded, but not a follow.
    pushed = kind == "follow"
    follow = pushed & (arrays["via"] != SCAN)
    known, tier_ids = _tier_ids(arrays["tier"][draw], tiers)
    scene = arrays["scene"][follow]
    scene_codes = np.where(np.isin(scene, list(scenes)), CAMPAIGN_SCENE, np.where(scene != "", OTHER_SCENE, NO_SCENE))
    scan_channel = _codes(arrays["scene"][pushed], tables["scan"], other)
    scan = np.flatnonzero(pushed)[scan_channel != ch.NO_CHANNEL]
    coded = draw & (arrays["code"] != "")
    return Columns(
        players=len(names),
        tiers=known,
        fallback=fallback,
        visit_player=player[visit],
        visit_ts=ts[visit],
        draw_player=player[draw],
        draw_ts=ts[draw],
        draw_tier=tier_ids,
        coupon_added_ts=ts[kind == "coupon_added"],
        coupon_redeemed_ts=ts[redeemed],
        follow_player=player[follow],
        follow_ts=ts[follow],
        follow_scene=scene_codes.astype(np.int8),
        unfollow_player=player[unfollow],
        unfollow_ts=ts[unfollow],
        channels=keys,
        visit_channel=_codes(arrays["ch"][visit], tables["ch"], other),
        scan_player=player[scan],
        scan_ts=ts[scan],
        scan_channel=scan_channel[scan_channel != ch.NO_CHANNEL],
        scan_existing=arrays["via"][scan] == SCAN,
        follow_channel=_codes(scene, tables["follow"], other),
        claim_player=player[claim],
        claim_ts=ts[claim],
        redeemed_player=player[redeemed],
        win_code=arrays["code"][coded],
        win_code_ts=ts[coded],
        redeemed_code=arrays["code"][redeemed],
        redeemed_store=arrays["store"][redeemed],
        redeemed_staff=arrays["staff"][redeemed],
    )


def load_columns(session: Session, campaign: Campaign) -> Columns:
    """Every ingested event of ``campaign`` as columns."""
    tiers = session.scalars(
        select(PrizeTier).where(PrizeTier.campaign_id == campaign.id).order_by(PrizeTier.position)
    ).all()
    fallback = next((t.tier for t in tiers if t.is_fallback), None)
    own = list(session.scalars(select(Channel.scene).where(Channel.campaign_id == campaign.id).order_by(Channel.id)))
    # The campaign's own follow prompt after playing has a scene too (campaigns/wechat/qr.py).
    scenes = {*own, f"{CAMPAIGN_SCENE_PREFIX}{campaign.slug}"}
    arrays = _fetch_columns(session, campaign.id)
    return columns_from_arrays(arrays, [t.tier for t in tiers], fallback, scenes, channel_scenes=own)
