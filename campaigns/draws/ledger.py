"""Writing draw events from the stream into the SQL ledger, idempotently by ``seq``."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..clock import from_ms
from .models import Draw


def record_draws(session: Session, campaign_id: int, entries: list[dict[str, str]]) -> int:
    """Add a ledger line for each draw event whose ``seq`` is not yet recorded; return how many."""
    seqs = [int(e["seq"]) for e in entries]
    known = set(session.scalars(select(Draw.seq).where(Draw.campaign_id == campaign_id, Draw.seq.in_(seqs))))
    added = 0
    for entry in entries:
        seq = int(entry["seq"])
        if seq in known:
            continue
        known.add(seq)
        session.add(
            Draw(
                campaign_id=campaign_id, seq=seq, ts=from_ms(int(entry["ts"])), openid=entry["openid"],
                player=entry["player"], client_seed=entry["client_seed"], nonce=int(entry["nonce"]),
                drawn_tier=entry["drawn_tier"], awarded_tier=entry["awarded_tier"],
                reason=entry.get("reason") or None, rules_version=int(entry["rules_version"]),
                coupon_code=entry.get("code") or None,
            )
        )
        added += 1
    return added
