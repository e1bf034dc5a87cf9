"""WeChat web OAuth: the authorize page and the ``sns`` endpoints, with WeChat's error codes."""

from __future__ import annotations

import secrets
from urllib.parse import urlencode, urlsplit, urlunsplit

from flask import Blueprint, redirect, render_template_string, request

from .api import state, wx_error, wx_ok
from .state import SnsToken

bp = Blueprint("sim_oauth", __name__)
SCOPES = ("snsapi_base", "snsapi_userinfo")

AUTHORIZE_PAGE = """<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>微信登录 · WeChat simulator</title>
<style>body{font-family:system-ui,sans-serif;max-width:28rem;margin:2rem auto;padding:0 1rem}
button{font-size:1rem;padding:.6rem 1rem;margin:.25rem 0;width:100%}input{font-size:1rem;padding:.5rem;width:100%;box-sizing:border-box}
.muted{color:#666;font-size:.85rem}</style></head>
<body data-screen="sim-authorize">
<h1>WeChat simulator</h1>
<p>{{ "授权获取你的昵称和头像" if scope == "snsapi_userinfo" else "静默授权（snsapi_base）" }} ·
<span class="muted">{{ appid }}</span></p>
<p class="muted">Real WeChat approves this silently inside its browser. Choose who is logging in.</p>
{% for user in users %}
<form method="get" action="{{ action }}">
  {% for name, value in params.items() %}<input type="hidden" name="{{ name }}" value="{{ value }}">{% endfor %}
  <input type="hidden" name="sim_user" value="{{ user.name }}">
  <button type="submit" data-user="{{ user.name }}">{{ user.nickname }}{% if user.subscribed %} · 已关注{% endif %}</button>
</form>
{% endfor %}
<form method="get" action="{{ action }}" id="new-user">
  {% for name, value in params.items() %}<input type="hidden" name="{{ name }}" value="{{ value }}">{% endfor %}
  <label>New follower name <input name="sim_user" required maxlength="32" autocomplete="off"></label>
  <button type="submit">Log in as this new follower</button>
</form>
</body></html>"""

ERROR_PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>微信</title></head>
<body data-screen="sim-error"><h1>{{ errmsg }}</h1><p>errcode {{ errcode }}</p></body></html>"""


def _with_query(url: str, **params: str) -> str:
    parts = urlsplit(url)
    query = "&".join(q for q in (parts.query, urlencode(params)) if q)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, ""))


@bp.get("/connect/oauth2/authorize")
def authorize():
    """Pick or create a follower (``sim_user=`` skips the page), then redirect with a code."""
    appid, scope = request.args.get("appid", ""), request.args.get("scope", "")
    redirect_uri = request.args.get("redirect_uri", "")
    if state().account(appid) is None:
        return render_template_string(ERROR_PAGE, errcode=40013, errmsg="invalid appid")
    if scope not in SCOPES:
        return render_template_string(ERROR_PAGE, errcode=10005, errmsg="scope 参数错误或没有 scope 权限")
    if request.args.get("response_type") != "code" or urlsplit(redirect_uri).scheme not in ("http", "https"):
        return render_template_string(ERROR_PAGE, errcode=10003, errmsg="redirect_uri 参数错误")
    name = request.args.get("sim_user", "").strip()[:32]
    if name:
        state().user(appid, name)
        code = state().issue_code(appid, name, scope)
        return redirect(_with_query(redirect_uri, code=code, state=request.args.get("state", "")))
    params = {k: request.args.get(k, "") for k in ("appid", "redirect_uri", "response_type", "scope", "state")}
    users = list(state().users.get(appid, {}).values())
    return render_template_string(
        AUTHORIZE_PAGE, appid=appid, scope=scope, users=users, params=params, action=request.path
    )


def _check_app(appid: str, secret: str | None):
    account = state().account(appid)
    if account is None:
        return wx_error(40013, "invalid appid")
    if secret is not None:
        with state().lock:
            if account.secret is None:
                account.secret = secret
        if account.secret != secret:
            return wx_error(40125, "invalid appsecret")
    return None


def _grant(app_id: str, user: str, scope: str):
    with state().lock:
        token = secrets.token_urlsafe(40)
        refresh = secrets.token_urlsafe(40)
        now = state().clock()
        state().sns_tokens[token] = SnsToken(app_id, user, scope, now + 7200)
        state().refresh_tokens[refresh] = SnsToken(app_id, user, scope, now + 30 * 86400)
    sim_user = state().user(app_id, user)
    return wx_ok(
        access_token=token,
        expires_in=7200,
        refresh_token=refresh,
        openid=sim_user.openid,
        scope=scope,
        unionid=sim_user.unionid,
    )


@bp.get("/sns/oauth2/access_token")
def access_token():
    """Exchange a code: once, within five minutes (40029 invalid, 40163 already used)."""
    appid = request.args.get("appid", "")
    refused = _check_app(appid, request.args.get("secret", ""))
    if refused:
        return refused
    if request.args.get("grant_type") != "authorization_code":
        return wx_error(40002, "invalid grant_type")
    with state().lock:
        code = state().codes.get(request.args.get("code", ""))
        if code is None or code.app_id != appid or code.expires_at <= state().clock():
            return wx_error(40029, "invalid code")
        if code.used:
            return wx_error(40163, "code been used")
        code.used = True
    return _grant(appid, code.user, code.scope)


@bp.get("/sns/oauth2/refresh_token")
def refresh_token():
    """A new OAuth access token from a refresh token (40030 when it is unknown or expired)."""
    appid = request.args.get("appid", "")
    refused = _check_app(appid, None)
    if refused:
        return refused
    with state().lock:
        record = state().refresh_tokens.get(request.args.get("refresh_token", ""))
    if record is None or record.app_id != appid or record.expires_at <= state().clock():
        return wx_error(40030, "invalid refresh_token")
    return _grant(appid, record.user, record.scope)


@bp.get("/sns/userinfo")
def userinfo():
    """The follower's profile; only with an ``snsapi_userinfo`` token (48001 otherwise)."""
    with state().lock:
        record = state().sns_tokens.get(request.args.get("access_token", ""))
    if record is None:
        return wx_error(40001, "invalid credential, access_token is invalid or not latest")
    if record.expires_at <= state().clock():
        return wx_error(42001, "access_token expired")
    user = state().user(record.app_id, record.user)
    if request.args.get("openid") != user.openid:
        return wx_error(40003, "invalid openid")
    if record.scope != "snsapi_userinfo":
        return wx_error(48001, "api unauthorized")
    return wx_ok(
        openid=user.openid,
        nickname=user.nickname,
        sex=0,
        province="",
        city="",
        country="",
        headimgurl=user.avatar,
        privilege=[],
        unionid=user.unionid,
    )


@bp.get("/sns/auth")
def auth():
    """Whether an OAuth access token is valid for ``openid``."""
    with state().lock:
        record = state().sns_tokens.get(request.args.get("access_token", ""))
    if record is None or record.expires_at <= state().clock():
        return wx_error(40001, "invalid credential, access_token is invalid or not latest")
    return wx_error(0, "ok")
