"""Reconciling Redis counters, the event stream and the SQL ledger; rebuilding Redis from SQL after data loss."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .. import events
from ..catalog.models import Campaign
from ..clock import to_ms
from ..crypto import SecretBox
from ..errors import Conflict
from ..keys import SEQ_FIELD, CampaignKeys, awarded_day_field, awarded_field, player_day_field, player_field
from . import fairness, inventory
from .models import Draw
from .publish import MIN_INTERVAL_MS, available_codes

SCAN_BATCH = 1000


@dataclass
class Report:
    """What each store holds, and every drift found (empty when they agree)."""

    redis_seq: int
    stream_seqs: set[int]
    sql_seqs: set[int]
    awarded_redis: dict[str, int]
    awarded_ledger: dict[str, int]
    problems: list[str] = field(default_factory=list)

    @property
    def awaiting_ingest(self) -> int:
        """Draws in the stream not yet in SQL (normal for a few seconds)."""
        return len(self.stream_seqs - self.sql_seqs)

    def summary(self) -> dict[str, Any]:
        """A printable summary."""
        return {
            "redis_seq": self.redis_seq,
            "stream_draws": len(self.stream_seqs),
            "sql_draws": len(self.sql_seqs),
            "awaiting_ingest": self.awaiting_ingest,
            "awarded_redis": self.awarded_redis,
            "awarded_ledger": self.awarded_ledger,
            "problems": self.problems,
        }


def stream_draws(redis, campaign_id: int) -> dict[int, dict[str, str]]:
    """Every draw entry still in the campaign's stream, by seq."""
    stream = CampaignKeys(campaign_id).events
    found: dict[int, dict[str, str]] = {}
    start = "-"
    while True:
        batch = redis.xrange(stream, min=start, count=SCAN_BATCH)
        for _entry_id, fields in events.read(batch, campaign_id):
            if fields.get("type") == "draw":
                found[int(fields["seq"])] = fields
        if len(batch) < SCAN_BATCH:
            return found
        start = "(" + batch[-1][0]


def compare(session: Session, redis, campaign: Campaign) -> Report:
    """Compare the three stores of a campaign's draws."""
    counters = inventory.counters(redis, campaign.id)
    in_stream = stream_draws(redis, campaign.id)
    sql_rows = session.execute(select(Draw.seq, Draw.awarded_tier).where(Draw.campaign_id == campaign.id)).all()
    union = {seq: tier for seq, tier in sql_rows}
    union.update({seq: f["awarded_tier"] for seq, f in in_stream.items()})
    report = Report(
        counters["seq"],
        set(in_stream),
        {seq for seq, _ in sql_rows},
        counters["awarded"],
        dict(Counter(union.values())),
    )
    expected = set(range(1, report.redis_seq + 1))
    if max(union, default=0) > report.redis_seq:
        report.problems.append(
            f"SQL or the stream hold draws up to seq {max(union)} but Redis is at {report.redis_seq}:"
            " Redis lost data; run reconcile --repair"
        )
    elif set(union) != expected:
        missing = sorted(expected - set(union))
        report.problems.append(f"{len(missing)} draws are in neither the stream nor SQL (first: seq {missing[0]})")
    if report.awarded_redis != report.awarded_ledger:
        report.problems.append(f"awarded counters differ: Redis {report.awarded_redis}, ledger {report.awarded_ledger}")
    for seq, fields in in_stream.items():
        if seq in union and union[seq] != fields["awarded_tier"]:
            report.problems.append(f"seq {seq} differs between the stream and SQL")
    return report


def _rebuilt_fields(draws: list[Draw], awarded: Counter, tz: str, fallback: str, document: dict) -> dict[str, object]:
    """The state hash's counting fields as the ledger implies them: seq, awarded, per-day counts, players."""
    fields: dict[str, object] = {SEQ_FIELD: draws[-1].seq if draws else 0}
    fields.update({awarded_field(tier): count for tier, count in awarded.items()})
    per_day = {p["tier"] for p in document["prizes"] if inventory.release_kind(p["release"]) == "per_day"}
    days: Counter = Counter()
    players: dict[str, inventory.Player] = {}
    for draw in draws:
        day = fairness.local_day(tz, to_ms(draw.ts))
        if draw.awarded_tier in per_day:
            days[awarded_day_field(day, draw.awarded_tier)] += 1
        if document["limits"]["plays_per_day"] is not None:
            days[player_day_field(day, draw.player)] += 1
        before = players.get(draw.player, inventory.Player(None))
        players[draw.player] = inventory.Player(
            draw.client_seed,
            draw.nonce + 1,
            before.plays + 1,
            before.wins + (draw.awarded_tier != fallback),
            to_ms(draw.ts),
        )
    fields.update(days)
    fields.update({player_field(player): inventory.pack_player(state) for player, state in players.items()})
    return fields


def _min_interval(redis, campaign_id: int) -> int:
    """The rate limit the campaign was published with, or the default when Redis lost it."""
    stored = inventory.min_interval_ms(redis, campaign_id)
    return MIN_INTERVAL_MS if stored is None else stored


def repair(session: Session, redis, campaign: Campaign, secrets: SecretBox) -> Report:
    """Rebuild the campaign's Redis state from the SQL ledger (after a Redis data loss); return the new comparison."""
    in_stream = stream_draws(redis, campaign.id)
    sql_max = session.scalar(select(func.max(Draw.seq)).where(Draw.campaign_id == campaign.id)) or 0
    if any(seq > sql_max for seq in in_stream):
        raise Conflict("The stream holds draws not yet in SQL: let the worker ingest them before repairing.")
    latest = campaign.rules_versions[-1]
    document = json.loads(latest.rules_json)
    fallback = document["fallback_tier"]
    draws = session.scalars(select(Draw).where(Draw.campaign_id == campaign.id).order_by(Draw.seq)).all()
    issued = {d.coupon_code for d in draws if d.coupon_code}
    codes = {tier: [c for c in pool if c not in issued] for tier, pool in available_codes(session, campaign).items()}
    seed = secrets.open(campaign.server_seed_sealed)
    awarded = Counter(d.awarded_tier for d in draws)
    inventory.load(
        redis,
        campaign.id,
        document,
        server_seed=seed,
        campaign_status=campaign.status,
        rules_version=latest.version,
        codes=codes,
        min_interval_ms=_min_interval(redis, campaign.id),
        counts=_rebuilt_fields(draws, awarded, campaign.timezone, fallback, document),
        awarded_units=dict(awarded),
    )
    return compare(session, redis, campaign)
