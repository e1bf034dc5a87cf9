"""Campaign pseudonyms for exports: openids are never exported raw.

A follower who drew keeps the ``player`` pseudonym of the draw ledger (the draw engine's
HMAC). Anyone else in the export (visitors, followers who never drew) gets an HMAC-SHA256
of the openid under a per-campaign key derived from the application key, so the same
openid maps to unlinkable values in different campaigns.
"""
from __future__ import annotations

import hashlib
import hmac
from typing import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..draws.models import Draw


def campaign_key(key_material: str, campaign_id: int) -> bytes:
    """The per-campaign pseudonym key."""
    return hashlib.sha256(f"wechat-campaigns/pseudonym/v1:{campaign_id}:{key_material}".encode()).digest()


def hmac_pseudonym(key: bytes, openid: str) -> str:
    """32 hex characters of HMAC-SHA256(key, openid)."""
    return hmac.new(key, openid.encode(), hashlib.sha256).hexdigest()[:32]


def pseudonymizer(session: Session, campaign_id: int, key_material: str) -> Callable[[str], str]:
    """A function from openid to the campaign pseudonym (the ledger's, else the HMAC)."""
    ledger = {openid: player for openid, player in session.execute(
        select(Draw.openid, Draw.player).where(Draw.campaign_id == campaign_id).distinct())}
    key = campaign_key(key_material, campaign_id)
    return lambda openid: ledger.get(openid) or hmac_pseudonym(key, openid)
