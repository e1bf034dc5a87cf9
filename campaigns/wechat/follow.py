"""Follow gating: only for campaigns whose marketer acknowledged WeChat's rules on inducing follows."""

from __future__ import annotations

import requests
from wechatpy.exceptions import WeChatClientException

from ..catalog.models import OfficialAccount
from ..errors import FollowRequired
from ..keys import WeChatKeys
from .client import client_for, translate
from .qr import FOLLOW_SCENE, scene_qr_url

# user/info is cheap but quota-limited; a follow push clears the cached answer at once.
FOLLOW_CACHE_SECONDS = 60


def is_following(services, account: OfficialAccount, openid: str) -> bool:
    """Whether ``openid`` follows the account now (``cgi-bin/user/info``, cached briefly)."""
    key = WeChatKeys(account.app_id).subscribed(openid)
    cached = services.redis.get(key)
    if cached is None:
        try:
            info = client_for(services, account).user.get(openid)
        except (WeChatClientException, requests.RequestException) as exc:
            raise translate(exc) from exc
        cached = "1" if int(info.get("subscribe", 0)) == 1 else "0"
        services.redis.set(key, cached, ex=FOLLOW_CACHE_SECONDS)
    return cached == "1"


def forget_following(redis, app_id: str, openid: str) -> None:
    """Drop the cached follow status (a subscribe or unsubscribe push just changed it)."""
    redis.delete(WeChatKeys(app_id).subscribed(openid))


def ensure_following(services, account: OfficialAccount, openid: str, *, scene: str = FOLLOW_SCENE) -> None:
    """Return if ``openid`` follows the account; else raise :class:`FollowRequired` with its QR code."""
    if is_following(services, account, openid):
        return
    raise FollowRequired(
        "Follow the Official Account to play: scan the QR code, then come back.",
        qr_url=scene_qr_url(services, account, scene),
    )
