"""Follower login by WeChat web OAuth (``snsapi_base``, or ``snsapi_userinfo`` on request)."""

from __future__ import annotations

from dataclasses import dataclass

import requests
from sqlalchemy import select
from sqlalchemy.orm import Session
from wechatpy.exceptions import WeChatOAuthException
from wechatpy.oauth import WeChatOAuth

from ..catalog.models import OfficialAccount
from ..errors import Busy, LoginFailed
from ..keys import WeChatKeys
from ..players.models import Follower
from .accounts import Credentials
from .client import RATE_ERRORS, Bases, TimeoutSession

SCOPES = ("snsapi_base", "snsapi_userinfo")
# 40029 invalid code, 40163 code already used; WeChat also answers 41008 for a missing code.
CODE_ERRORS = frozenset({40029, 40163, 41008})
# How long we remember an exchanged code: longer than WeChat's five-minute validity.
CODE_MEMORY_SECONDS = 600


@dataclass(frozen=True)
class Identity:
    """Who WeChat says logged in."""

    openid: str
    unionid: str | None = None
    nickname: str | None = None
    avatar_url: str | None = None


class CampaignOAuth(WeChatOAuth):
    """wechatpy's OAuth helper with its two base URLs taken from the settings."""

    def __init__(self, creds: Credentials, bases: Bases, redirect_uri: str, scope: str, state: str = ""):
        super().__init__(creds.app_id, creds.app_secret, redirect_uri, scope=scope, state=state)
        self.API_BASE_URL = bases.api + "/"
        self.OAUTH_BASE_URL = bases.open + "/connect/"
        self._http = TimeoutSession(5.0)


def authorize_url(creds: Credentials, bases: Bases, redirect_uri: str, scope: str, state: str) -> str:
    """Where to send the browser so WeChat asks (or silently grants) the login."""
    if scope not in SCOPES:
        scope = "snsapi_base"
    return CampaignOAuth(creds, bases, redirect_uri, scope, state).authorize_url


def exchange(redis, creds: Credentials, bases: Bases, code: str, scope: str) -> Identity:
    """Trade a one-time ``code`` for the follower's identity; a code is never sent twice."""
    if not code or len(code) > 128:
        raise LoginFailed("This login link is incomplete. Please open the campaign again.")
    if not redis.set(WeChatKeys(creds.app_id).oauth_code(code), "1", nx=True, ex=CODE_MEMORY_SECONDS):
        raise LoginFailed("This login link has already been used. Please open the campaign again.")
    oauth = CampaignOAuth(creds, bases, "", scope)
    try:
        token = oauth.fetch_access_token(code)
        profile = (
            oauth.get_user_info() if scope == "snsapi_userinfo" and token.get("scope", scope) != "snsapi_base" else {}
        )
    except WeChatOAuthException as exc:
        if exc.errcode in RATE_ERRORS:
            raise Busy("WeChat is busy right now; please open the campaign again in a moment.") from exc
        if exc.errcode in CODE_ERRORS:
            raise LoginFailed(
                "This login link has expired or was already used. Please open the campaign again."
            ) from exc
        raise LoginFailed(f"WeChat did not complete the login ({exc.errcode}). Please try again.") from exc
    except (requests.RequestException, ValueError) as exc:
        raise Busy("WeChat cannot be reached right now; please try again in a moment.") from exc
    return Identity(
        openid=token["openid"],
        unionid=token.get("unionid") or profile.get("unionid"),
        nickname=profile.get("nickname"),
        avatar_url=profile.get("headimgurl"),
    )


def remember(session: Session, account: OfficialAccount, identity: Identity) -> Follower:
    """Create or update the follower row for ``identity`` (the caller commits)."""
    follower = session.scalar(
        select(Follower).where(Follower.account_id == account.id, Follower.openid == identity.openid)
    )
    if follower is None:
        follower = Follower(account_id=account.id, openid=identity.openid)
        session.add(follower)
    if identity.unionid:
        follower.unionid = identity.unionid
    if identity.nickname:
        follower.nickname = identity.nickname[:120]
    if identity.avatar_url:
        follower.avatar_url = identity.avatar_url[:500]
    return follower
