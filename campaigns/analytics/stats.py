"""The statistics service: compute a campaign's curves and keep them in ``daily_stat``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import numpy as np
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ..catalog.models import Campaign, PrizeTier
from ..errors import NotFound
from .channels import CHANNEL_METRICS
from .days import Calendar, campaign_calendar
from .load import load_columns
from .metrics import RETENTION_OFFSETS, Curves, compute
from .models import DailyStat
from .shape import Shape, retention_share, shape

# The metric names of a daily row, in the order of the exports.
METRICS = (
    "visitors",
    "players",
    "plays",
    "new_players",
    "returning_players",
    "winners",
    "coupons_added",
    "coupons_redeemed",
    "follows",
    "unfollows",
    "net_follower_gain",
    "net_follower_gain_total",
)
RETENTION = tuple(f"retention_d{k}" for k in RETENTION_OFFSETS)


def known_days(calendar: Calendar, campaign: Campaign, now: datetime) -> tuple[int, int]:
    """How many days have begun by ``now``, and how many of those the campaign could be played on."""
    today = calendar.index_of(now)
    begun = max(0, min(today + 1, calendar.days))
    playable = max(0, min(begun, calendar.index_of(campaign.ends_at) + 1))
    return begun, playable


def daily_rows(curves: Curves, calendar: Calendar, begun: int, playable: int) -> list[dict]:
    """One dict per begun day: the date, every metric, prizes by tier and retention shares."""
    shares = {
        k: retention_share(curves.returned[k], curves.counts["new_players"], k, playable) for k in RETENTION_OFFSETS
    }
    rows = []
    for i in range(begun):
        row: dict = {"day": calendar.date(i).isoformat()}
        row.update({name: int(curves.counts[name][i]) for name in METRICS})
        row["prizes"] = {
            tier: int(curves.prizes[i, t]) for t, tier in enumerate(curves.tiers) if tier != curves.fallback
        }
        row.update({f"retention_d{k}": shares[k][i] for k in RETENTION_OFFSETS})
        row["channels"] = {
            key: {name: int(curves.by_channel[name][i, c]) for name in CHANNEL_METRICS}
            for c, key in enumerate(curves.channel_keys)
        }
        row["redeemed_by_store"] = curves.redeemed_by_store[i]
        row["redeemed_by_staff"] = curves.redeemed_by_staff[i]
        row["median_win_to_redemption_ms"] = curves.median_win_to_redemption_ms[i]
        rows.append(row)
    return rows


def recompute(session: Session, campaign_id: int, now: datetime) -> int:
    """Recompute one campaign's daily rows from its ingested events and commit them; return the row count."""
    campaign = session.get(Campaign, campaign_id)
    if campaign is None:
        raise NotFound("No such campaign.")
    calendar = campaign_calendar(campaign.starts_at, campaign.ends_at, campaign.timezone)
    cols = load_columns(session, campaign)
    curves = compute(cols, calendar.bounds)
    begun, playable = known_days(calendar, campaign, now)
    rows = daily_rows(curves, calendar, begun, playable)
    _store(session, campaign_id, rows, now)
    session.commit()
    return len(rows)


def _store(session: Session, campaign_id: int, rows: list[dict], now: datetime) -> None:
    """Upsert the rows by (campaign, day) so concurrent recomputations never collide, and drop stale days."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    days = [row["day"] for row in rows]
    session.execute(delete(DailyStat).where(DailyStat.campaign_id == campaign_id, DailyStat.day.not_in(days)))
    if not rows:
        return
    values = [
        {
            "campaign_id": campaign_id,
            "day": row["day"],
            "values": {k: v for k, v in row.items() if k != "day"},
            "computed_at": now,
        }
        for row in rows
    ]
    stmt = insert(DailyStat).values(values)
    stmt = stmt.on_conflict_do_update(
        index_elements=["campaign_id", "day"],
        set_={"values": stmt.excluded["values"], "computed_at": stmt.excluded.computed_at},
    )
    session.execute(stmt)


@dataclass
class Results:
    """What the dashboard, the exports and the report show for one campaign."""

    campaign: Campaign
    rows: list[dict]
    shape: Shape
    weekend: list[bool]
    tiers: list[str]
    prizes_left: int | None
    computed_at: datetime | None

    def total(self, name: str) -> int:
        """The sum of a metric over every day."""
        return sum(row[name] for row in self.rows)

    @property
    def players_total(self) -> int:
        """Distinct players over the whole campaign (each is new exactly once)."""
        return self.total("new_players")


def results(session: Session, campaign: Campaign, now: datetime) -> Results:
    """The stored daily rows of a campaign with its shape figures."""
    stored = session.scalars(
        select(DailyStat).where(DailyStat.campaign_id == campaign.id).order_by(DailyStat.day)
    ).all()
    rows = [{"day": s.day, **s.values} for s in stored]
    for row in rows:
        row.setdefault("prizes", {})
    calendar = campaign_calendar(campaign.starts_at, campaign.ends_at, campaign.timezone)
    _, playable = known_days(calendar, campaign, now)
    playable = min(playable, len(rows))
    weekend = [date.fromisoformat(row["day"]).weekday() >= 5 for row in rows]
    plays = np.array([row["plays"] for row in rows[:playable]], dtype=np.int64)
    figures = shape(plays, np.array(weekend[:playable], dtype=bool))
    tiers = session.scalars(
        select(PrizeTier).where(PrizeTier.campaign_id == campaign.id).order_by(PrizeTier.position)
    ).all()
    prizes = [t for t in tiers if not t.is_fallback]
    awarded = {t.tier: sum(row["prizes"].get(t.tier, 0) for row in rows) for t in prizes}
    left = sum(max(t.stock - awarded[t.tier], 0) for t in prizes) if prizes else None
    return Results(
        campaign=campaign,
        rows=rows,
        shape=figures,
        weekend=weekend,
        tiers=[t.tier for t in prizes],
        prizes_left=left,
        computed_at=max((s.computed_at for s in stored), default=None),
    )
