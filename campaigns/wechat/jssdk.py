"""``wx.config`` for the game pages: signed with the shared jsapi_ticket."""

from __future__ import annotations

import secrets
from datetime import datetime

import requests
from wechatpy.client.api import WeChatJSAPI
from wechatpy.exceptions import WeChatClientException

from ..catalog.models import OfficialAccount
from .client import client_for, translate

# What the game and coupon pages call: the share menu and the card wallet.
JS_API_LIST = ("updateAppMessageShareData", "updateTimelineShareData", "hideMenuItems", "addCard", "openAddress")


def signature(ticket: str, noncestr: str, timestamp: int | str, url: str) -> str:
    """The JS-SDK signature of ``url`` (wechatpy's signer; the URL without its ``#`` fragment)."""
    return WeChatJSAPI().get_jsapi_signature(noncestr, ticket, str(timestamp), url.split("#", 1)[0])


def wx_config(
    services, account: OfficialAccount, url: str, now: datetime, js_api_list: tuple[str, ...] = JS_API_LIST
) -> dict:
    """The ``wx.config({...})`` argument for the page at ``url``."""
    client = client_for(services, account)
    try:
        ticket = client.jsapi.get_jsapi_ticket()
    except (WeChatClientException, requests.RequestException) as exc:
        raise translate(exc) from exc
    timestamp, nonce = int(now.timestamp()), secrets.token_hex(8)
    return {
        "appId": account.app_id,
        "timestamp": timestamp,
        "nonceStr": nonce,
        "signature": signature(ticket, nonce, timestamp, url),
        "jsApiList": list(js_api_list),
    }
