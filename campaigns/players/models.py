"""Followers and their per-campaign player identity."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..base import Base
from ..catalog.models import Campaign, OfficialAccount, utcnow


class Follower(Base):
    """A person known to an Official Account through OAuth or a push, by openid."""

    __tablename__ = "follower"
    __table_args__ = (UniqueConstraint("account_id", "openid"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("official_account.id"), index=True)
    openid: Mapped[str] = mapped_column(String(64))
    unionid: Mapped[str | None] = mapped_column(String(64))
    nickname: Mapped[str | None] = mapped_column(String(120))
    avatar_url: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    account: Mapped[OfficialAccount] = relationship()


class Player(Base):
    """A follower taking part in one campaign, known publicly only by a pseudonym."""

    __tablename__ = "player"
    __table_args__ = (UniqueConstraint("campaign_id", "follower_id"), UniqueConstraint("campaign_id", "pseudonym"))

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"), index=True)
    follower_id: Mapped[int] = mapped_column(ForeignKey("follower.id"), index=True)
    # HMAC of the openid under a per-campaign key: stable in the campaign, unlinkable across.
    pseudonym: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    campaign: Mapped[Campaign] = relationship()
    follower: Mapped[Follower] = relationship()
