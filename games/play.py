"""The follower's JSON endpoints of a campaign: draw, state, client seed, prizes, and the public fairness proof.

They are exempt from CSRF tokens because they demand what a cross-site form cannot
send: a JSON content type on every write and, for the draw, an ``Idempotency-Key``
header.
"""

from __future__ import annotations

from flask import Response, jsonify, render_template, request

from campaigns.catalog.models import Campaign, OfficialAccount
from campaigns.draws import public
from campaigns.draws import services as draws
from campaigns.draws.published import PublishedCampaign
from campaigns.errors import InvalidInput, WeChatError
from campaigns.wechat.follow import ensure_following
from extensions import csrf, db
from web.follower import require_openid
from web.services import context, services
from web.staff_auth import current_staff

from . import bp
from .views import campaign_on_record, published_campaign


def _json_body() -> dict:
    """The request's JSON object; refuses other content types (the CSRF defence) and malformed bodies."""
    if not request.is_json:
        raise InvalidInput("Send a JSON body (Content-Type: application/json).", fields={"Content-Type": "json"})
    body = request.get_json(silent=True)
    if body is None and not request.get_data():
        return {}
    if not isinstance(body, dict):
        raise InvalidInput("The body must be a JSON object.", fields={"body": "invalid"})
    return body


def _player(slug: str) -> tuple[Campaign, str]:
    campaign = published_campaign(slug)
    return campaign, require_openid(campaign.account_id)


def _published(slug: str) -> PublishedCampaign:
    """The frozen snapshot of a published campaign: the draw path reads no SQL (campaigns.draws.published)."""
    return services().published.get(db.session, slug)


def _check_follow(campaign: PublishedCampaign, openid: str) -> None:
    if not campaign.follow_required:
        return
    account = db.session.get(OfficialAccount, campaign.account_id)
    try:
        ensure_following(services(), account, openid)
    except WeChatError:
        # WeChat cannot answer now; the follower already passed the page's gate, so let them play.
        return


@bp.post("/<slug>/draw")
@csrf.exempt
def draw(slug: str):
    """Draw once (or replay the draw of a repeated Idempotency-Key)."""
    body = _json_body()
    campaign = _published(slug)
    openid = require_openid(campaign.account_id)
    _check_follow(campaign, openid)
    result = draws.draw(
        context(), campaign, openid, request.headers.get("Idempotency-Key"), client_seed=body.get("client_seed")
    )
    return jsonify(result)


@bp.get("/<slug>/me")
def me(slug: str):
    """The follower's state in this campaign: like a draw, from the snapshot and Redis, with no SQL."""
    campaign = _published(slug)
    return jsonify(draws.me(context(), campaign, require_openid(campaign.account_id)))


@bp.put("/<slug>/client-seed")
@csrf.exempt
def client_seed(slug: str):
    """Change the follower's client seed for their next draws."""
    body = _json_body()
    campaign = _published(slug)
    openid = require_openid(campaign.account_id)
    return jsonify(draws.set_client_seed(context(), campaign, openid, body.get("client_seed")))


@bp.get("/<slug>/prizes")
def prizes(slug: str):
    """The follower's wins in this campaign."""
    campaign, openid = _player(slug)
    return jsonify(draws.prizes(context(), campaign, openid))


@bp.get("/<slug>/fairness")
def fairness(slug: str):
    """The fairness commitment and every rules version; the server seed once revealed."""
    campaign = campaign_on_record(slug)
    svc = services()
    return jsonify(public.fairness_document(campaign, svc.clock, svc.secrets))


@bp.get("/<slug>/ledger.jsonl")
def ledger(slug: str):
    """The draw ledger as JSON lines: public once revealed, to staff before."""
    campaign = campaign_on_record(slug)
    svc = services()
    public.ledger_allowed(campaign, svc.clock, staff=current_staff() is not None)
    lines = list(public.ledger_jsonl(db.session, campaign))
    return Response(lines, mimetype="application/x-ndjson")


@bp.get("/<slug>/verify")
def verify_page(slug: str):
    """The static verifier page: recomputes the follower's draws in the browser with WebCrypto."""
    campaign = campaign_on_record(slug)
    return render_template("games/verify.html", campaign=campaign)
