"""Permanent string-scene QR codes: one per channel, and the account's follow prompt."""

from __future__ import annotations

import requests
from wechatpy.exceptions import WeChatClientException

from ..catalog.models import Channel, OfficialAccount
from .client import CampaignClient, client_for, translate

# The scene of the account's own follow prompt (no channel: analytics counts it for no campaign).
FOLLOW_SCENE = "follow"
# Scenes of a campaign's own follow prompt (after playing): ``campaign:<slug>``.
CAMPAIGN_SCENE_PREFIX = "campaign:"


def campaign_scene(campaign) -> str:
    """The QR scene that attributes a follow to ``campaign`` without a channel."""
    return CAMPAIGN_SCENE_PREFIX + campaign.slug


def scene_ticket(client: CampaignClient, scene: str) -> str:
    """The permanent QR ticket of ``scene``, created once and remembered in Redis."""
    key = client.keys.qr(scene)
    ticket = client.redis.get(key)
    if ticket:
        return ticket
    try:
        result = client.qrcode.create(
            {"action_name": "QR_LIMIT_STR_SCENE", "action_info": {"scene": {"scene_str": scene}}}
        )
    except (WeChatClientException, requests.RequestException) as exc:
        raise translate(exc) from exc
    # Permanent tickets never expire, so they are kept without a TTL.
    client.redis.set(key, result["ticket"])
    return result["ticket"]


def scene_qr_url(services, account: OfficialAccount, scene: str = FOLLOW_SCENE) -> str:
    """The image URL of the account's QR code carrying ``scene``."""
    client = client_for(services, account)
    return client.qrcode.get_url(scene_ticket(client, scene))


def campaign_qr_url(services, campaign) -> str:
    """The account's QR code carrying the campaign's scene: the compliant follow prompt after playing."""
    return scene_qr_url(services, campaign.account, campaign_scene(campaign))


def channel_qr_url(services, channel: Channel) -> str:
    """The channel's QR image URL; creates the QR code on first use and stores it on the channel."""
    if not channel.qr_ticket:
        client = client_for(services, channel.campaign.account)
        channel.qr_ticket = scene_ticket(client, channel.scene)
        channel.qr_url = client.qrcode.get_url(channel.qr_ticket)
    return channel.qr_url or client_for(services, channel.campaign.account).qrcode.get_url(channel.qr_ticket)
