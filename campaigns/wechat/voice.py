"""What staff set for an account to say: its replies and its menu, one audited service per action.

The console and the API both call these; the callers commit, then forget the account's book so this
process answers the next push with the change (other processes within ``book.REFRESH_S``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..catalog.messages import msg
from ..catalog.models import OfficialAccount
from ..errors import NotFound
from ..staff.models import Staff
from ..staff.services import require_account
from . import menu, replies


def account_for(session: Session, staff: Staff, slug: str) -> OfficialAccount:
    """The account ``slug`` if ``staff`` works on it; :class:`NotFound` / :class:`Forbidden` otherwise."""
    account = session.scalar(select(OfficialAccount).where(OfficialAccount.slug == slug))
    if account is None:
        raise NotFound(msg("This Official Account does not exist."))
    require_account(session, staff, account.id)
    return account


def get_replies(session: Session, staff: Staff, slug: str) -> dict[str, Any]:
    """The account's replies document."""
    return replies.document(session, account_for(session, staff, slug))


def put_replies(session: Session, staff: Staff, slug: str, doc: Any, now: datetime) -> dict[str, Any]:
    """Replace the account's replies (checked, audited)."""
    return replies.save(session, staff, account_for(session, staff, slug), doc, now)


def get_menu(session: Session, staff: Staff, slug: str) -> dict[str, Any]:
    """The account's saved menu in WeChat's JSON."""
    return menu.document(session, account_for(session, staff, slug))["menu"]


def put_menu(session: Session, services, staff: Staff, slug: str, doc: Any, now: datetime) -> dict:
    """Replace the account's saved menu (checked within WeChat's limits, audited, not yet published)."""
    account = account_for(session, staff, slug)
    return menu.save(session, staff, account, doc, now, https_only=menu.https_only(services.settings))


def publish_menu(session: Session, services, staff: Staff, slug: str, now: datetime) -> dict[str, Any]:
    """Send the saved menu to WeChat (``menu/create``); the saved menu and when it was published."""
    account = account_for(session, staff, slug)
    menu.publish(session, services, staff, account, now)
    return menu.document(session, account)


def import_menu(session: Session, services, staff: Staff, slug: str, now: datetime) -> dict[str, Any]:
    """Replace the saved menu by WeChat's current one (``menu/get``)."""
    return menu.import_current(session, services, staff, account_for(session, staff, slug), now)
