"""A follower's per-campaign pseudonym: pure HMAC functions, no stores.

The pseudonym is HMAC-SHA256 of the openid under a key derived from the application
key and the campaign id, so it is stable within a campaign, unlinkable across
campaigns, and cannot be reversed without the application key. The draw ledger's
``player`` and the exports' pseudonyms of followers who never drew are both made here.
"""

from __future__ import annotations

import hashlib
import hmac
from functools import lru_cache


@lru_cache(maxsize=1024)
def campaign_key(key_material: str, campaign_id: int) -> bytes:
    """The per-campaign pseudonym key (kept per campaign: every draw, page and ``/me`` asks for it)."""
    return hashlib.sha256(f"wechat-campaigns/pseudonym/v1:{campaign_id}:{key_material}".encode()).digest()


def hmac_pseudonym(key: bytes, openid: str) -> str:
    """32 hex characters of HMAC-SHA256(key, openid)."""
    return hmac.digest(key, openid.encode(), "sha256").hex()[:32]
