"""Ingested participation events and per-campaign daily statistics."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..base import Base


class Event(Base):
    """One participation event, written once from the campaign's stream (unique event id)."""

    __tablename__ = "event"
    __table_args__ = (
        UniqueConstraint("campaign_id", "event_id"),
        Index("ix_event_campaign_type_ts", "campaign_id", "type", "ts_ms"),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"))
    event_id: Mapped[str] = mapped_column(String(40))
    type: Mapped[str] = mapped_column(String(20))
    openid: Mapped[str] = mapped_column(String(64))
    ts_ms: Mapped[int] = mapped_column(BigInteger)
    # The type's own fields (scene, channel, tier, reason, code …) as strings.
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class DailyStat(Base):
    """One campaign-local day of a campaign's statistics (see docs/metrics.md)."""

    __tablename__ = "daily_stat"
    __table_args__ = (UniqueConstraint("campaign_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"), index=True)
    day: Mapped[str] = mapped_column(String(10))
    # Every metric of the day by name, and prizes by tier.
    values: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    computed_at: Mapped[datetime]
