"""Official Accounts and what marketers configure: campaigns, prize tiers, channels."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..base import Base


def utcnow() -> datetime:
    return datetime.now(UTC)


STATUSES = ("draft", "scheduled", "live", "paused", "ended")
COUPON_KINDS = ("none", "code", "wechat_card")


class OfficialAccount(Base):
    """A brand's WeChat Official Account; secrets are stored encrypted (see ``crypto``)."""

    __tablename__ = "official_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    app_id: Mapped[str] = mapped_column(String(64), unique=True)
    original_id: Mapped[str] = mapped_column(String(64), default="")
    app_secret_sealed: Mapped[str] = mapped_column(Text)
    token_sealed: Mapped[str] = mapped_column(Text)
    aes_key_sealed: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    campaigns: Mapped[list[Campaign]] = relationship(back_populates="account")


class Campaign(Base):
    """A campaign of one Official Account, played as one of the registered games (``gamekinds``)."""

    __tablename__ = "campaign"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("official_account.id"), index=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    game: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default="draft")
    timezone: Mapped[str] = mapped_column(String(64), default="Asia/Shanghai")
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    # Optional daily opening hours in campaign-local time, "HH:MM" each, or null.
    opens_at: Mapped[str | None] = mapped_column(String(5))
    closes_at: Mapped[str | None] = mapped_column(String(5))
    plays_per_day: Mapped[int | None] = mapped_column(Integer)
    plays_total: Mapped[int | None] = mapped_column(Integer)
    wins_total: Mapped[int | None] = mapped_column(Integer)
    follow_required: Mapped[bool] = mapped_column(Boolean, default=False)
    oauth_scope: Mapped[str] = mapped_column(String(20), default="snsapi_base")
    # Title, colours, background and images; every key optional.
    look: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # The fairness commitment, set at publish (see docs/fairness.md).
    server_seed_sealed: Mapped[str | None] = mapped_column(Text)
    server_seed_hash: Mapped[str | None] = mapped_column(String(64))
    published_at: Mapped[datetime | None]
    revealed_at: Mapped[datetime | None]
    archived: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    account: Mapped[OfficialAccount] = relationship(back_populates="campaigns")
    tiers: Mapped[list[PrizeTier]] = relationship(
        back_populates="campaign", order_by="PrizeTier.position", cascade="all, delete-orphan"
    )
    rules_versions: Mapped[list[RulesVersion]] = relationship(
        back_populates="campaign", order_by="RulesVersion.version", cascade="all, delete-orphan"
    )
    channels: Mapped[list[Channel]] = relationship(back_populates="campaign", cascade="all, delete-orphan")

    @property
    def fallback_tier(self) -> PrizeTier | None:
        """The one tier that is the fallback ("no prize" or consolation)."""
        return next((t for t in self.tiers if t.is_fallback), None)


class PrizeTier(Base):
    """One row of a campaign's ordered prize table."""

    __tablename__ = "prize_tier"
    __table_args__ = (
        UniqueConstraint("campaign_id", "tier"),
        UniqueConstraint("campaign_id", "position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    tier: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(120))
    weight: Mapped[int] = mapped_column(Integer)
    stock: Mapped[int] = mapped_column(Integer, default=0)
    # "all", {"per_day": N} or "moments" (see docs/fairness.md).
    release: Mapped[Any] = mapped_column(JSON, default="all")
    is_fallback: Mapped[bool] = mapped_column(Boolean, default=False)
    coupon_kind: Mapped[str] = mapped_column(String(16), default="none")
    card_id: Mapped[str | None] = mapped_column(String(64))
    # Declared value in minor units (fen for CNY) and ISO 4217 currency.
    value_minor: Mapped[int] = mapped_column(Integer, default=0)
    currency: Mapped[str] = mapped_column(String(3), default="CNY")
    image: Mapped[str | None] = mapped_column(String(255))
    valid_from: Mapped[datetime | None]
    valid_until: Mapped[datetime | None]

    campaign: Mapped[Campaign] = relationship(back_populates="tiers")


class RulesVersion(Base):
    """A published rules document; version 1 at publish, one more per stock top-up."""

    __tablename__ = "rules_version"
    __table_args__ = (UniqueConstraint("campaign_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    from_seq: Mapped[int] = mapped_column(Integer)
    rules_json: Mapped[str] = mapped_column(Text)
    rules_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    campaign: Mapped[Campaign] = relationship(back_populates="rules_versions")


class Channel(Base):
    """A place the campaign is promoted (poster, table card …) with its own QR scene."""

    __tablename__ = "channel"
    __table_args__ = (UniqueConstraint("campaign_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"), index=True)
    name: Mapped[str] = mapped_column(String(64))
    # The permanent string scene of the QR code, unique across the installation.
    scene: Mapped[str] = mapped_column(String(64), unique=True)
    qr_ticket: Mapped[str | None] = mapped_column(Text)
    qr_url: Mapped[str | None] = mapped_column(Text)

    campaign: Mapped[Campaign] = relationship(back_populates="channels")
