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


def register_players(session: Session, campaign_id: int, players: Mapping[str, str]) -> int:
    """Create the player rows of ``{openid: pseudonym}`` the campaign does not have yet; return how many.

    The ledger's writer calls it for each batch of ingested draws, so a follower becomes a
    player by drawing, and no follower request writes SQL.
    """
    if not players:
        return 0
    known = set(
        session.scalars(
            select(Player.pseudonym).where(
                Player.campaign_id == campaign_id, Player.pseudonym.in_(set(players.values()))
            )
        )
    )
    missing = {openid: player for openid, player in players.items() if player not in known}
    if missing:
        campaign = session.get(Campaign, campaign_id)
        for openid, player in missing.items():
            ensure_player(session, campaign, openid, player)
    return len(missing)
