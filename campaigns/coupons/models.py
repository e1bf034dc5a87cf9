"""Coupon codes of a prize tier, from upload or generation to redemption."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..base import Base
from ..catalog.models import utcnow

COUPON_STATES = ("available", "issued", "added", "redeemed", "expired")


class CouponCode(Base):
    """One code of a tier's pool; ``state`` follows it from upload to redemption."""

    __tablename__ = "coupon_code"
    __table_args__ = (UniqueConstraint("code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tier_id: Mapped[int] = mapped_column(ForeignKey("prize_tier.id"), index=True)
    code: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(16), default="available")
    openid: Mapped[str | None] = mapped_column(String(64), index=True)
    draw_seq: Mapped[int | None]
    issued_at: Mapped[datetime | None]
    redeemed_at: Mapped[datetime | None]
    redeemed_by: Mapped[str | None] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
