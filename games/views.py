"""The game page of a campaign: the gate (WeChat, login, follow), the visit event, then the game."""

from __future__ import annotations

import re
from typing import Any

import requests
from flask import Response, current_app, redirect, render_template, request, url_for
from flask_babel import get_locale

from campaigns import events
from campaigns.analytics.channels import placement_of
from campaigns.catalog.models import Campaign, OfficialAccount
from campaigns.catalog.services import get_by_slug, get_with_record
from campaigns.catalog.status import status_from
from campaigns.clock import iso_ms, to_ms, utc
from campaigns.errors import Busy, FollowRequired, NotFound, WeChatError
from campaigns.players.services import key_material, pseudonym
from campaigns.wechat import notices
from campaigns.wechat.book import card
from campaigns.wechat.follow import ensure_following
from campaigns.wechat.qr import scene_qr_url
from campaigns.wechat.share import SHARE_CHANNEL, share_card
from extensions import db
from web.follower import current_openid
from web.services import services

from . import bp
from .look import page_look, same_origin
from .outside import outside_wechat
from .pages import CampaignPage, GamePages, Rendered
from .registry import get
from .texts import client_strings
from .winners import winners_shown

PSEUDONYM = re.compile(r"[0-9a-f]{32}")


def published_campaign(slug: str, *, with_tiers: bool = False) -> Campaign:
    """The campaign ``slug`` once published; drafts are not found."""
    campaign = get_by_slug(db.session, slug, with_tiers=with_tiers)
    if campaign.status == "draft":
        raise NotFound("This campaign does not exist.")
    return campaign


def campaign_on_record(slug: str) -> Campaign:
    """The campaign ``slug`` once published, archived ones included: for its rules and fairness proof."""
    return get_with_record(db.session, slug)


def _login(campaign: Campaign) -> Response:
    """Send the browser through WeChat OAuth, back to this page."""
    # The query string comes back too: its ``ch`` says which placement brought the follower.
    return redirect(url_for("wechat.login", slug=campaign.slug, next=request.full_path.rstrip("?")))


def must_follow(services, campaign: Campaign, openid: str) -> bool:
    """Whether the campaign needs a follow that this follower has not made yet."""
    if not campaign.follow_required:
        return False
    try:
        ensure_following(services, db.session.get(OfficialAccount, campaign.account_id), openid)
    except FollowRequired:
        return True
    except WeChatError:
        # WeChat cannot tell right now: show the game; the draw checks the follow again.
        return False
    return False


def share(services, kept: CampaignPage, openid: str) -> dict[str, str]:
    """The page's share card: what WeChat's share menu sends, the link with ch=share and this follower's pseudonym."""
    root = (current_app.config.get("PUBLIC_URL") or request.host_url).rstrip("/")
    return share_card(kept.card, root, pseudonym(key_material(services.settings), kept.id, openid))


def visit_fields() -> dict[str, str]:
    """The visit's ``ch`` (the URL's placement) and, on a shared link, ``from``: the sharer's pseudonym."""
    fields = {"ch": placement_of(request.args.get("ch"))}
    sharer = request.args.get("from", "")
    if fields["ch"] == SHARE_CHANNEL and PSEUDONYM.fullmatch(sharer):
        fields["from"] = sharer
    return fields


def frozen_data(kept: CampaignPage) -> dict[str, Any]:
    """What the game script needs that is the same for every follower (the CSP forbids inline scripts)."""
    campaign = kept.campaign
    base = url_for("games.page", slug=campaign.slug)
    tiers = [
        {"tier": t.tier, "name": t.name, "image": same_origin(t.image), "fallback": t.is_fallback}
        for t in campaign.tiers
    ]
    game = get(campaign.game)
    data = {
        "slug": campaign.slug,
        "game": campaign.game,
        "starts_at": iso_ms(utc(campaign.starts_at)),
        "ends_at": iso_ms(utc(campaign.ends_at)),
        "follow_qr": url_for("games.follow_qr", slug=campaign.slug) if campaign.follow_required else None,
        "urls": {name: base + name for name in ("draw", "me", "prizes", "client-seed", "verify", "wx-config")},
        # The coupon helper's per-follower coupon views: <base>coupons/<code>.png and …/card-ext.
        "coupons": base + "coupons/",
        "tiers": tiers,
        "t": client_strings(),
        "sounds": url_for("static", filename="sound/"),
        "notices": kept.notices,
    }
    if winners_shown(campaign.look):
        data["urls"]["winners"] = base + "winners"
    if game.extra:
        data.update(game.extra(tiers))
    return data


def _read(slug: str) -> CampaignPage:
    campaign = published_campaign(slug, with_tiers=True)
    return CampaignPage(campaign, card(campaign), notices.settings_of(db.session, campaign)["enabled"], 0, 0.0)


def _kept(slug: str) -> CampaignPage:
    pages: GamePages = current_app.extensions["game_pages"]
    try:
        return pages.get(slug, lambda: _read(slug))
    except NotFound:
        pages.forget(slug)
        raise


def _render(kept: CampaignPage, live: bool) -> Rendered:
    """The page of ``kept`` in the request's language, live or not, around the hole for its data."""
    campaign = kept.campaign
    game = get(campaign.game)

    def render(hole):
        data = {**frozen_data(kept), "state": "live" if live else ""}
        return render_template(
            game.template, campaign=campaign, game=game, look=page_look(campaign.look), data=data, data_json=hole
        )

    return GamePages.rendered(kept, (get_locale(), live), render, lambda: frozen_data(kept))


@bp.get("/<slug>/")
def page(slug: str):
    """The campaign's game page, for a logged-in follower inside WeChat."""
    kept = _kept(slug)
    campaign = kept.campaign
    blocked = outside_wechat(campaign)
    if blocked is not None:
        return blocked
    openid = current_openid(campaign.account_id)
    if not openid:
        return _login(campaign)
    svc = services()
    now = svc.clock.now()
    now_ms = to_ms(now)
    # The visit event and the campaign's Redis status, in one command.
    stored = events.append_and_read(svc.redis, campaign.id, "visit", openid, now_ms, "status", **visit_fields())
    if must_follow(svc, campaign, openid):
        state = "follow"
    else:
        starts_ms, ends_ms = to_ms(utc(campaign.starts_at)), to_ms(utc(campaign.ends_at))
        state = status_from(stored or campaign.status, now_ms, starts_ms, ends_ms)
    own = {"state": state, "now": iso_ms(now), "share": share(svc, kept, openid)}
    return Response(_render(kept, state == "live").html(own), mimetype="text/html")


@bp.get("/<slug>/follow-qr")
def follow_qr(slug: str):
    """The account's follow QR image, relayed from WeChat so the page shows it from its own origin (CSP)."""
    campaign = published_campaign(slug)
    svc = services()
    try:
        upstream = requests.get(scene_qr_url(svc, campaign.account), timeout=5)
        upstream.raise_for_status()
    except (requests.RequestException, WeChatError) as exc:
        raise Busy("The QR code is not available right now.") from exc
    response = Response(upstream.content, mimetype=upstream.headers.get("Content-Type", "image/jpeg"))
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response
