"""What an Official Account says on its own: its passive replies, its custom menu and its service notices."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..base import Base
from ..catalog.models import utcnow


class AccountReplies(Base):
    """The account's welcome message, default reply, keyword replies and menu-click replies.

    ``document`` is the replies document of :mod:`campaigns.wechat.replies` (validated on save).
    """

    __tablename__ = "account_replies"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("official_account.id"), unique=True)
    document: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class AccountMenu(Base):
    """The account's custom menu in WeChat's ``menu/create`` JSON, and when it was last published."""

    __tablename__ = "account_menu"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("official_account.id"), unique=True)
    menu: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    published_at: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class CampaignNotices(Base):
    """A campaign's service notices (template messages): off by default; the brand's template ids."""

    __tablename__ = "campaign_notices"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"), unique=True)
    enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    winner_template_id: Mapped[str] = mapped_column(String(64), default="")
    expiry_template_id: Mapped[str] = mapped_column(String(64), default="")
    # The expiry reminder goes this many days before an unredeemed coupon expires.
    reminder_days: Mapped[int] = mapped_column(Integer, default=3)


class Notice(Base):
    """One template message to one follower: at most one per (campaign, openid, kind), whatever happened.

    ``status`` is ``sending`` (claimed), ``sent``, or ``refused`` with WeChat's ``errcode`` (the follower
    does not follow, or refused service notices): a refusal is recorded and never retried.
    """

    __tablename__ = "notice"
    __table_args__ = (UniqueConstraint("campaign_id", "openid", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"), index=True)
    openid: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default="sending")
    errcode: Mapped[int | None] = mapped_column(Integer)
    msgid: Mapped[str | None] = mapped_column(String(32))
    at: Mapped[datetime]
