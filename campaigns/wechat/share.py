"""The share card of a game page: what WeChat shows when a follower shares it, and the link it carries.

The link carries ``ch=share`` and the sharer's per-campaign pseudonym (``from``), so the results can
count shares, then the visits and plays they bring. Sharing is never rewarded: no extra draws, no
better odds (WeChat's rules forbid inducing shares, and the publish checks refuse such rules).
"""

from __future__ import annotations

from urllib.parse import urlencode

from .book import CampaignCard

SHARE_CHANNEL = "share"


def share_link(public_url: str, slug: str, sharer: str) -> str:
    """The game page's URL as a shared link: ``?ch=share&from=<pseudonym>``."""
    return f"{public_url}/c/{slug}/?" + urlencode({"ch": SHARE_CHANNEL, "from": sharer})


def share_card(card: CampaignCard, public_url: str, sharer: str) -> dict[str, str]:
    """The argument of ``wx.updateAppMessageShareData`` (and, without ``desc``, of the timeline's)."""
    return {
        "title": card.title,
        "desc": card.description,
        "link": share_link(public_url, card.slug, sharer),
        "imgUrl": public_url + card.cover if card.cover else "",
    }
