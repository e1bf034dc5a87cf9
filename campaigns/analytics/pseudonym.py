"""Campaign pseudonyms for exports: openids are never exported raw.

A follower who drew keeps the ``player`` pseudonym of the draw ledger (the draw engine's
HMAC). Anyone else in the export (visitors, followers who never drew) gets the same HMAC
(``campaigns/players/pseudonym.py``) of the openid under the per-campaign key, so the same
openid maps to unlinkable values in different campaigns.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..draws.models import Draw
from ..players.pseudonym import campaign_key, hmac_pseudonym


def pseudonymizer(session: Session, campaign_id: int, key_material: str) -> Callable[[str], str]:
    """A function from openid to the campaign pseudonym (the ledger's, else the HMAC)."""
    ledger = {
        openid: player
        for openid, player in session.execute(
            select(Draw.openid, Draw.player).where(Draw.campaign_id == campaign_id).distinct()
        )
    }
    key = campaign_key(key_material, campaign_id)
    return lambda openid: ledger.get(openid) or hmac_pseudonym(key, openid)
