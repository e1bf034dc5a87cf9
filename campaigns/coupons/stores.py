"""Stores and the revocable staff links that let a store redeem without a console login."""

from __future__ import annotations

import hashlib
import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..catalog.models import Campaign, OfficialAccount
from ..clock import Clock
from ..errors import Forbidden, InvalidInput, NotFound
from .models import Store, StoreLink


def create_store(session: Session, account: OfficialAccount, name: str) -> Store:
    """A new store of the account's brand."""
    name = (name or "").strip()
    if not 1 <= len(name) <= 120:
        raise InvalidInput("A store needs a name of at most 120 characters.", fields={"name": "required"})
    if session.scalar(select(Store.id).where(Store.account_id == account.id, Store.name == name)):
        raise InvalidInput("A store with this name exists already.", fields={"name": "taken"})
    store = Store(account_id=account.id, name=name)
    session.add(store)
    session.flush()
    return store


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_link(
    session: Session,
    store: Store,
    *,
    campaign: Campaign | None = None,
    label: str = "",
    created_by_id: int | None = None,
) -> tuple[StoreLink, str]:
    """A new staff link for ``store``; returns the link and its token, which is shown once."""
    if campaign is not None and campaign.account_id != store.account_id:
        raise InvalidInput("The campaign belongs to another account.", fields={"campaign": "foreign"})
    token = secrets.token_urlsafe(24)
    link = StoreLink(
        store_id=store.id,
        campaign_id=campaign.id if campaign else None,
        label=label[:120],
        token_hash=_digest(token),
        created_by_id=created_by_id,
    )
    session.add(link)
    session.flush()
    return link, token


def revoke_link(session: Session, link: StoreLink, clock: Clock) -> None:
    """Stop the link from working; earlier redemptions keep pointing at it."""
    if link.revoked_at is None:
        link.revoked_at = clock.now()


def link_for_token(session: Session, token: str) -> StoreLink:
    """The live link of ``token``; NotFound for an unknown one, Forbidden once revoked."""
    link = session.scalar(select(StoreLink).where(StoreLink.token_hash == _digest(token or "")))
    if link is None:
        raise NotFound("This staff link does not exist.")
    if link.revoked_at is not None or not link.store.active:
        raise Forbidden("This staff link has been revoked.")
    return link


def active_stores(session: Session) -> list[Store]:
    """Every active store, by name, for an operator to choose from."""
    return list(session.scalars(select(Store).where(Store.active.is_(True)).order_by(Store.name)))
