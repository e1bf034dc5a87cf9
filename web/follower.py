"""The logged-in follower of a browser session, per Official Account.

OAuth login (web/wechat/oauth.py) calls :func:`log_in`; game views call
:func:`require_openid`. Nothing else reads or writes these session keys.
"""

from __future__ import annotations

from flask import session

from campaigns.errors import LoginRequired


def _key(account_id: int) -> str:
    return f"follower:{account_id}"


def log_in(account_id: int, openid: str) -> None:
    """Remember ``openid`` as this browser's follower of the account."""
    session.permanent = True
    session[_key(account_id)] = openid


def current_openid(account_id: int) -> str | None:
    """The follower logged in for this account, if any."""
    return session.get(_key(account_id))


def require_openid(account_id: int) -> str:
    """The logged-in follower's openid, or :class:`LoginRequired`."""
    openid = current_openid(account_id)
    if not openid:
        raise LoginRequired("Please open this page from WeChat to log in.")
    return openid
