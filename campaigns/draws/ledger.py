"""The SQL draw ledger: written from the stream idempotently by ``seq``, read back in its public format."""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ..catalog.models import PrizeTier
from ..clock import from_ms, iso_ms
from ..coupons.models import CouponCode
from ..players.services import register_players
from .models import Draw

PUBLIC_FIELDS = ("seq", "ts", "player", "client_seed", "nonce", "drawn_tier", "awarded_tier", "reason", "rules_version")


def record_draws(session: Session, campaign_id: int, entries: list[dict[str, str]]) -> int:
    """Add a ledger line for each draw event whose ``seq`` is new, mark its coupon issued, register its
    player; return how many lines were added."""
    seqs = [int(e["seq"]) for e in entries]
    if not seqs:
        return 0
    known = set(session.scalars(select(Draw.seq).where(Draw.campaign_id == campaign_id, Draw.seq.in_(seqs))))
    added = 0
    for entry in entries:
        seq = int(entry["seq"])
        if seq in known:
            continue
        known.add(seq)
        session.add(
            Draw(
                campaign_id=campaign_id,
                seq=seq,
                ts=from_ms(int(entry["ts"])),
                openid=entry["openid"],
                player=entry["player"],
                client_seed=entry["client_seed"],
                nonce=int(entry["nonce"]),
                drawn_tier=entry["drawn_tier"],
                awarded_tier=entry["awarded_tier"],
                reason=entry.get("reason") or None,
                rules_version=int(entry["rules_version"]),
                coupon_code=entry.get("code") or None,
            )
        )
        if entry.get("code"):
            _issue(session, campaign_id, entry)
        added += 1
    register_players(session, campaign_id, {e["openid"]: e["player"] for e in entries})
    return added


def _issue(session: Session, campaign_id: int, entry: dict[str, str]) -> None:
    """Mark the awarded code issued to the follower (only while still available: re-ingest changes nothing)."""
    tier_ids = select(PrizeTier.id).where(PrizeTier.campaign_id == campaign_id)
    session.execute(
        update(CouponCode)
        .where(CouponCode.code == entry["code"], CouponCode.tier_id.in_(tier_ids), CouponCode.state == "available")
        .values(state="issued", openid=entry["openid"], draw_seq=int(entry["seq"]), issued_at=from_ms(int(entry["ts"])))
        .execution_options(synchronize_session=False)
    )


def public_line(draw: Draw) -> dict:
    """A ledger line in the published format (no openid, no coupon code)."""
    return {
        "seq": draw.seq,
        "ts": iso_ms(draw.ts),
        "player": draw.player,
        "client_seed": draw.client_seed,
        "nonce": draw.nonce,
        "drawn_tier": draw.drawn_tier,
        "awarded_tier": draw.awarded_tier,
        "reason": draw.reason,
        "rules_version": draw.rules_version,
    }


def draws(session: Session, campaign_id: int, batch: int = 1000) -> Iterator[Draw]:
    """Every draw of a campaign in ``seq`` order, read in batches."""
    last = 0
    while True:
        rows = session.scalars(
            select(Draw).where(Draw.campaign_id == campaign_id, Draw.seq > last).order_by(Draw.seq).limit(batch)
        ).all()
        if not rows:
            return
        yield from rows
        last = rows[-1].seq


def public_lines(session: Session, campaign_id: int) -> Iterator[dict]:
    """The public ledger of a campaign, line by line in ``seq`` order."""
    for draw in draws(session, campaign_id):
        yield public_line(draw)
