"""Follower login through WeChat OAuth: the redirect to WeChat and the callback it sends back."""

from __future__ import annotations

import secrets
from urllib.parse import urlsplit

from flask import current_app, redirect, render_template, request, session, url_for

from campaigns.catalog.services import get_by_slug
from campaigns.errors import Busy, CampaignError, LoginFailed
from campaigns.wechat.accounts import credentials
from campaigns.wechat.client import Bases
from campaigns.wechat.oauth import authorize_url, exchange, remember
from extensions import db
from web import follower
from web.services import services

from . import bp

# Session key of the logins in progress: {state: {"slug", "next"}}; each state is used once.
PENDING = "wechat_oauth"
MAX_PENDING = 5


def _bases() -> Bases:
    return Bases.from_settings(current_app.config)


def _failed(exc: CampaignError) -> tuple[str, int]:
    """The clear page a failed login ends on (always HTML: a person is looking at it)."""
    return render_template("error.html", code=exc.code, message=exc.message, status=exc.status), exc.status


def safe_next(value: str | None, slug: str) -> str:
    """A path inside this app to return to after login; anything else is refused."""
    if not value:
        return url_for("games.page", slug=slug) if "games.page" in current_app.view_functions else f"/c/{slug}/"
    parts = urlsplit(value)
    if (
        parts.scheme
        or parts.netloc
        or not value.startswith("/")
        or value.startswith("//")
        or "\\" in value
        or any(ord(ch) < 32 for ch in value)
        or len(value) > 512
    ):
        raise LoginFailed("This login link points outside the campaign. Please open the campaign again.")
    return value


@bp.get("/c/<slug>/login")
def login(slug: str):
    """Start WeChat OAuth for the campaign ``slug``; ``next`` is where to come back."""
    campaign = get_by_slug(db.session, slug)
    try:
        target = safe_next(request.args.get("next"), slug)
    except LoginFailed as exc:
        return _failed(exc)
    state = secrets.token_urlsafe(24)
    pending = dict(list((session.get(PENDING) or {}).items())[-(MAX_PENDING - 1) :])
    pending[state] = {"slug": slug, "next": target}
    session[PENDING] = pending
    redirect_uri = current_app.config["PUBLIC_URL"] + url_for("wechat.oauth_callback")
    creds = credentials(services().secrets, campaign.account)
    return redirect(authorize_url(creds, _bases(), redirect_uri, campaign.oauth_scope, state))


@bp.get("/wechat/oauth/callback")
def oauth_callback():
    """WeChat's redirect back: check the state, exchange the code once, log the follower in."""
    state = request.args.get("state", "")
    pending = dict(session.get(PENDING) or {})
    entry = pending.pop(state, None) if state else None
    session[PENDING] = pending
    if entry is None:
        return _failed(LoginFailed("This login did not start in this browser. Please open the campaign again."))
    if not request.args.get("code"):
        return _failed(LoginFailed("The login was not allowed in WeChat. Please open the campaign again."))
    campaign = get_by_slug(db.session, entry["slug"])
    svc = services()
    try:
        identity = exchange(
            svc.redis,
            credentials(svc.secrets, campaign.account),
            _bases(),
            request.args["code"],
            campaign.oauth_scope,
        )
    except (LoginFailed, Busy) as exc:
        return _failed(exc)
    remember(db.session, campaign.account, identity)
    db.session.commit()
    follower.log_in(campaign.account_id, identity.openid)
    return redirect(entry["next"])
