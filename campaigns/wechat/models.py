"""What an Official Account says on its own: its passive replies and its custom menu."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey
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
