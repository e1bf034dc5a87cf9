"""Players: the per-campaign pseudonym of a follower, and their SQL rows."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..catalog.models import Campaign
from .models import Follower, Player
from .pseudonym import campaign_key, hmac_pseudonym


def key_material(settings: Mapping[str, Any]) -> str:
    """The application key the secret box is built from (``ENCRYPTION_KEY``, else ``SECRET_KEY``)."""
    return settings.get("ENCRYPTION_KEY") or settings["SECRET_KEY"]


def pseudonym(key_material_text: str, campaign_id: int, openid: str) -> str:
    """The ledger's ``player``: HMAC-SHA256 of the openid under a per-campaign key, 32 hex characters.

    The key is derived from the application key and the campaign id, so the value is
    stable within a campaign, differs across campaigns, and cannot be reversed without
    the application key.
    """
    return hmac_pseudonym(campaign_key(key_material_text, campaign_id), openid)


def ensure_player(session: Session, campaign: Campaign, openid: str, player: str) -> Player:
    """The SQL player row of a follower in a campaign, creating the follower and player on first sight."""
    existing = session.scalar(
        select(Player).join(Follower).where(Player.campaign_id == campaign.id, Follower.openid == openid)
    )
    if existing is not None:
        return existing
    follower = session.scalar(
        select(Follower).where(Follower.account_id == campaign.account_id, Follower.openid == openid)
    )
    try:
        with session.begin_nested():
            if follower is None:
                follower = Follower(account_id=campaign.account_id, openid=openid)
                session.add(follower)
                session.flush()
            row = Player(campaign_id=campaign.id, follower_id=follower.id, pseudonym=player)
            session.add(row)
            session.flush()
    except IntegrityError:
        # Another request of the same follower created the rows first.
        return session.scalar(
            select(Player).join(Follower).where(Player.campaign_id == campaign.id, Follower.openid == openid)
        )
    return row
