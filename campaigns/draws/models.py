"""The SQL draw ledger, written from the event stream by the worker."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..base import Base


class Draw(Base):
    """One ledger line: a draw as executed, in campaign-wide ``seq`` order."""

    __tablename__ = "draw"
    __table_args__ = (UniqueConstraint("campaign_id", "seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    ts: Mapped[datetime]
    openid: Mapped[str] = mapped_column(String(64), index=True)
    player: Mapped[str] = mapped_column(String(32))
    client_seed: Mapped[str] = mapped_column(String(64))
    nonce: Mapped[int] = mapped_column(Integer)
    drawn_tier: Mapped[str] = mapped_column(String(32))
    awarded_tier: Mapped[str] = mapped_column(String(32))
    reason: Mapped[str | None] = mapped_column(String(20))
    rules_version: Mapped[int] = mapped_column(Integer)
    coupon_code: Mapped[str | None] = mapped_column(String(64))
