"""Loading a campaign's ingested events from SQL as the numpy columns of ``metrics``."""

from __future__ import annotations

import numpy as np
from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from ..catalog.models import Campaign, Channel, PrizeTier
from ..wechat.qr import CAMPAIGN_SCENE_PREFIX
from .attribution import CAMPAIGN_SCENE
from .metrics import Columns

NO_SCENE, OTHER_SCENE = 0, 2
SCAN = "scan"


# One query column per field the metrics read; the JSON fields are extracted by the database.
FIELDS = ("kind", "openid", "ts", "tier", "via", "scene")


def _query(campaign_id: int):
    from .models import Event

    def field(kind: str, name: str):
        # Only the events of ``kind`` carry the field: the others skip parsing their JSON.
        return case((Event.type == kind, func.coalesce(Event.data[name].as_string(), "")), else_="")

    return select(
        Event.type,
        Event.openid,
        Event.ts_ms,
        field("draw", "awarded_tier"),
        field("follow", "via"),
        field("follow", "scene"),
    ).where(Event.campaign_id == campaign_id)


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
        **{
            name: np.array([d.get(key) or "" for d in data], dtype=str)
            for name, key in (("tier", "awarded_tier"), ("via", "via"), ("scene", "scene"))
        },
    }
    return columns_from_arrays(arrays, tiers, fallback, scenes)


def _tier_ids(drawn: np.ndarray, tiers: list[str]) -> tuple[tuple[str, ...], np.ndarray]:
    """Each draw's index into the tiers, extended by tiers not in the rules in order of first appearance."""
    names, first, inverse = np.unique(drawn, return_index=True, return_inverse=True)
    known = list(tiers)
    known += [str(names[i]) for i in np.argsort(first, kind="stable") if str(names[i]) not in known]
    index = np.array([known.index(str(name)) for name in names], dtype=np.int64)
    return tuple(known), index[inverse.reshape(-1)]


def columns_from_arrays(
    arrays: dict[str, np.ndarray], tiers: list[str], fallback: str | None, scenes: set[str]
) -> Columns:
    """Columns from one array per field of :data:`FIELDS`; openids become dense player numbers."""
    kind, ts = arrays["kind"], arrays["ts"]
    # Sorting strings groups equal openids; return_inverse gives each row its player number.
    names, player = np.unique(arrays["openid"], return_inverse=True)
    player = player.astype(np.int64).reshape(-1)
    visit, draw, unfollow = kind == "visit", kind == "draw", kind == "unfollow"
    # A SCAN push is an existing follower scanning a QR code: recorded, but not a follow.
    follow = (kind == "follow") & (arrays["via"] != SCAN)
    known, tier_ids = _tier_ids(arrays["tier"][draw], tiers)
    scene = arrays["scene"][follow]
    scene_codes = np.where(np.isin(scene, list(scenes)), CAMPAIGN_SCENE, np.where(scene != "", OTHER_SCENE, NO_SCENE))
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
        coupon_redeemed_ts=ts[kind == "coupon_redeemed"],
        follow_player=player[follow],
        follow_ts=ts[follow],
        follow_scene=scene_codes.astype(np.int8),
        unfollow_player=player[unfollow],
        unfollow_ts=ts[unfollow],
    )


def load_columns(session: Session, campaign: Campaign) -> Columns:
    """Every ingested event of ``campaign`` as columns."""
    tiers = session.scalars(
        select(PrizeTier).where(PrizeTier.campaign_id == campaign.id).order_by(PrizeTier.position)
    ).all()
    fallback = next((t.tier for t in tiers if t.is_fallback), None)
    scenes = set(session.scalars(select(Channel.scene).where(Channel.campaign_id == campaign.id)))
    # The campaign's own follow prompt after playing has a scene too (campaigns/wechat/qr.py).
    scenes.add(f"{CAMPAIGN_SCENE_PREFIX}{campaign.slug}")
    return columns_from_arrays(_fetch_columns(session, campaign.id), [t.tier for t in tiers], fallback, scenes)
