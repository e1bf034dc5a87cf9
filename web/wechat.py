"""WeChat's doors into the app: follower OAuth login, the message push webhook, and the
"open this in WeChat" page. Views read input, call one service, and render the result."""

from __future__ import annotations

import base64
import io
import logging
import secrets
from urllib.parse import urlsplit

import qrcode
import qrcode.image.svg
from flask import Blueprint, Response, current_app, jsonify, redirect, render_template, request, session, url_for

from campaigns.catalog.models import Campaign
from campaigns.catalog.services import get_by_slug
from campaigns.errors import Busy, CampaignError, InvalidInput, LoginFailed
from campaigns.wechat import inbox, push
from campaigns.wechat.accounts import credentials
from campaigns.wechat.client import Bases
from campaigns.wechat.jssdk import wx_config
from campaigns.wechat.oauth import authorize_url, exchange, remember
from extensions import csrf, db
from web import follower

bp = Blueprint("wechat", __name__)
log = logging.getLogger(__name__)

# Session key of the logins in progress: {state: {"slug", "next"}}; each state is used once.
PENDING = "wechat_oauth"
MAX_PENDING = 5


def _services():
    return current_app.extensions["services"]


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
    creds = credentials(_services().secrets, campaign.account)
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
    services = _services()
    try:
        identity = exchange(
            services.redis,
            credentials(services.secrets, campaign.account),
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


@bp.route("/wechat/<account_slug>/callback", methods=["GET", "POST"])
@csrf.exempt
def callback(account_slug: str):
    """WeChat's message push: GET echoes the URL check; POST records the push and answers it.

    The answer must reach WeChat within 5 seconds, so nothing here calls WeChat: events go
    to the campaign streams, which the worker ingests, and the reply comes from the account's book.
    """
    services = _services()
    book = services.replies.get(db.session, account_slug)
    if book is None:
        log.warning("wechat push for an unknown account", extra={"account": account_slug, "method": request.method})
        return Response("unknown account", status=404, mimetype="text/plain")
    try:
        if request.method == "GET":
            return Response(push.verify_echo(book.creds, request.args), mimetype="text/plain")
        if (request.content_length or 0) > push.MAX_BODY_BYTES:
            raise push.MalformedPush("push too large")
        reply = inbox.receive(db.session, services, book, request.args, request.get_data())
    except push.BadSignature as exc:
        return _refused(account_slug, exc, 403, "forbidden")
    except push.MalformedPush as exc:
        return _refused(account_slug, exc, 400, "bad request")
    return Response(reply.body, mimetype=reply.content_type)


def _refused(account_slug: str, exc: Exception, status: int, answer: str) -> Response:
    """Log why a push or URL check was refused and answer WeChat plainly; nothing was processed."""
    log.warning(
        "wechat push refused",
        extra={"account": account_slug, "reason": str(exc), "status": status, "method": request.method},
    )
    return Response(answer, status=status, mimetype="text/plain")


@bp.get("/c/<slug>/wx-config")
def js_sdk_config(slug: str):
    """The signed ``wx.config`` argument for a page of this app (``?url=`` the page's URL)."""
    campaign = get_by_slug(db.session, slug)
    url = request.args.get("url", "")
    if not url.startswith(current_app.config["PUBLIC_URL"] + "/"):
        raise InvalidInput("The page URL must be a page of this site.", fields={"url": "invalid"})
    services = _services()
    return jsonify(wx_config(services, campaign.account, url, services.clock.now()))


def _qr_data_uri(text: str) -> str:
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=10, border=2)
    buffer = io.BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def jssdk_scripts(config) -> list[str]:
    """The JS-SDK scripts the game pages load: WeChat's, or the simulator's stand-ins in the demo."""
    if config.get("WECHAT_SIMULATOR"):
        base = config["WECHAT_API_BASE"]
        return [f"{base}/sim/jweixin.js", f"{base}/sim/cards.js"]
    return [config["WECHAT_JSSDK_URL"]]


@bp.app_context_processor
def page_context() -> dict:
    """Templates may load the JS-SDK scripts (the game pages do, deferred)."""
    return {"jssdk_scripts": jssdk_scripts(current_app.config)}


def outside_wechat(campaign: Campaign) -> Response | None:
    """The "open this in WeChat" page outside WeChat's browser (unless the simulator is on); else None."""
    if current_app.config.get("WECHAT_SIMULATOR") or "MicroMessenger" in request.headers.get("User-Agent", ""):
        return None
    page_url = current_app.config["PUBLIC_URL"] + request.path
    body = render_template(
        "wechat/open_in_wechat.html", campaign=campaign, page_url=page_url, qr=_qr_data_uri(page_url)
    )
    return Response(body, status=200, mimetype="text/html")
