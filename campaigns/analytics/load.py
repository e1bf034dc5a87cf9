"""Loading a campaign's ingested events from SQL as the numpy columns of ``metrics``."""
from __future__ import annotations

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..catalog.models import Campaign, Channel, PrizeTier
from ..wechat.qr import CAMPAIGN_SCENE_PREFIX
from .attribution import CAMPAIGN_SCENE
from .metrics import Columns

NO_SCENE, OTHER_SCENE = 0, 2
SCAN = "scan"


def _rows(session: Session, campaign_id: int) -> list[tuple]:
    from .models import Event

    query = select(Event.type, Event.openid, Event.ts_ms, Event.data).where(Event.campaign_id == campaign_id)
    return session.execute(query).all()


def columns_from_rows(rows: list[tuple], tiers: list[str], fallback: str | None, scenes: set[str]) -> Columns:
    """Columns from ``(type, openid, ts_ms, data)`` rows; openids become dense player numbers."""
    # A SCAN push is an existing follower scanning a QR code: recorded, but not a follow.
    kinds = np.array([SCAN if r[0] == "follow" and (r[3] or {}).get("via") == "scan" else r[0] for r in rows], dtype=object)
    openids = np.array([r[1] for r in rows], dtype=str) if rows else np.array([], dtype=str)
    ts = np.array([r[2] for r in rows], dtype=np.int64)
    # Sorting strings groups equal openids; return_inverse gives each row its player number.
    names, player = np.unique(openids, return_inverse=True)
    player = player.astype(np.int64).reshape(-1)
    known = list(tiers)
    tier_ids: list[int] = []
    scene_codes: list[int] = []
    for kind, _, _, data in rows:
        if kind == "draw":
            tier = (data or {}).get("awarded_tier", "")
            if tier not in known:
                known.append(tier)
            tier_ids.append(known.index(tier))
        elif kind == "follow" and (data or {}).get("via") != "scan":
            scene = (data or {}).get("scene") or ""
            scene_codes.append(CAMPAIGN_SCENE if scene in scenes else OTHER_SCENE if scene else NO_SCENE)

    def pick(kind: str) -> np.ndarray:
        return kinds == kind if rows else np.zeros(0, dtype=bool)

    visit, draw, follow, unfollow = pick("visit"), pick("draw"), pick("follow"), pick("unfollow")
    return Columns(
        players=len(names), tiers=tuple(known), fallback=fallback,
        visit_player=player[visit], visit_ts=ts[visit],
        draw_player=player[draw], draw_ts=ts[draw], draw_tier=np.array(tier_ids, dtype=np.int64),
        coupon_added_ts=ts[pick("coupon_added")], coupon_redeemed_ts=ts[pick("coupon_redeemed")],
        follow_player=player[follow], follow_ts=ts[follow], follow_scene=np.array(scene_codes, dtype=np.int8),
        unfollow_player=player[unfollow], unfollow_ts=ts[unfollow],
    )


def load_columns(session: Session, campaign: Campaign) -> Columns:
    """Every ingested event of ``campaign`` as columns."""
    tiers = session.scalars(select(PrizeTier).where(PrizeTier.campaign_id == campaign.id).order_by(PrizeTier.position)).all()
    fallback = next((t.tier for t in tiers if t.is_fallback), None)
    scenes = set(session.scalars(select(Channel.scene).where(Channel.campaign_id == campaign.id)))
    # The campaign's own follow prompt after playing has a scene too (campaigns/wechat/qr.py).
    scenes.add(f"{CAMPAIGN_SCENE_PREFIX}{campaign.slug}")
    return columns_from_rows(_rows(session, campaign.id), [t.tier for t in tiers], fallback, scenes)
