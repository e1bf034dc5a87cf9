"""The follower's prizes: the claim page of each, the QR image, the address of a shipped prize,
the coupon's state, and the signed ``wx.addCard`` card list.

Only the logged-in winner sees a prize; anyone else gets 404, so codes cannot be probed.
"""

from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify, render_template, request, url_for
from flask_babel import gettext

from campaigns.catalog.messages import Message
from campaigns.catalog.services import get_by_slug
from campaigns.coupons import addresses, fraud, qr, shipping
from campaigns.coupons.issuers import follower_texts, issuer_for
from campaigns.coupons.services import claim_status, effective_state, follower_view, owned_coupon
from campaigns.errors import CampaignError, CouponNotValid, CouponRefused, InvalidInput
from extensions import db
from games.look import page_look
from web.services import services

from .errors import error_response
from .follower import require_openid
from .services import context

bp = Blueprint("coupons", __name__, url_prefix="/c")


def _my_coupon(slug: str, code: str):
    campaign = get_by_slug(db.session, slug)
    redis = services().redis
    return owned_coupon(db.session, redis, campaign, require_openid(campaign.account_id), code)


@bp.get("/<slug>/coupons/<code>.png")
def qr_image(slug: str, code: str):
    """The coupon's QR code, holding only the code."""
    coupon = _my_coupon(slug, code)
    response = Response(qr.png(coupon.code), mimetype="image/png")
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/<slug>/coupons/<code>")
def coupon(slug: str, code: str):
    """The coupon's state and what the follower can do next."""
    return jsonify(follower_view(context(), _my_coupon(slug, code)))


@bp.get("/<slug>/coupons/<code>/card-ext")
def card_ext(slug: str, code: str):
    """The ``cardList`` for ``wx.addCard``, signed for this follower; only for cards not yet added."""
    found = _my_coupon(slug, code)
    ctx = context()
    issuer = issuer_for(found.tier.coupon_kind)
    if not hasattr(issuer, "sign"):
        raise CouponRefused("This prize is not a WeChat card.")
    state = effective_state(found, ctx.clock.now())
    if state != "issued":
        raise CouponNotValid(f"This card cannot be added to the wallet any more ({state}).")
    return jsonify(cardList=[issuer.sign(ctx, found)])


def _translated(text) -> str:
    if isinstance(text, Message):
        return gettext(text.template).format(**text.values)
    return gettext(text) if isinstance(text, str) and text else str(text)


@bp.get("/<slug>/coupons/<code>/claim")
def claim_page(slug: str, code: str):
    """The prize's claim page: its state and what to do next, as its claim kind shows it."""
    found = _my_coupon(slug, code)
    ctx = context()
    campaign = found.tier.campaign
    base = url_for("coupons.claim_page", slug=slug, code=found.code)
    simulated = bool(current_app.config.get("WECHAT_SIMULATOR"))
    data = {
        "address_url": url_for("coupons.save_address", slug=slug, code=found.code),
        "claim_post_url": url_for("coupons.claim_prize", slug=slug, code=found.code),
        "wx_config_url": url_for("games.page", slug=slug) + "wx-config",
        "claim_url": base,
        # In the demo the simulator plays WeChat, where the follower opens a red packet.
        "sim_base": current_app.config["WECHAT_API_BASE"] if simulated else None,
        "openid": found.openid if simulated else None,
        "t": {
            "saved": gettext("Address saved"),
            "error": gettext("Something went wrong. Please try again."),
            "network": gettext("The network is not answering"),
            "wx_unavailable": gettext("Open this page in WeChat to use your WeChat address."),
            "opened": gettext("Opened in (simulated) WeChat; the state follows within minutes."),
        },
    }
    return render_template(
        f"claims/{found.tier.coupon_kind}.html",
        campaign=campaign,
        coupon=found,
        view=follower_view(ctx, found),
        details=issuer_for(found.tier.coupon_kind).details(ctx, found),
        texts={key: gettext(text.template) for key, text in follower_texts().items()},
        look=page_look(campaign.look),
        provinces=addresses.PROVINCES,
        data=data,
    )


@bp.post("/<slug>/coupons/<code>/claim")
def claim_prize(slug: str, code: str):
    """The winner claims the prize (taps 领取): the fraud checks decide before anything is paid."""
    found = _my_coupon(slug, code)
    ctx = context()
    try:
        checked = fraud.screen(ctx, found, request.remote_addr or "")
        fraud.require_claimable(checked)
        claimed = getattr(issuer_for(found.tier.coupon_kind), "claimed", None)
        if checked.status == "approved" and claimed is not None and found.state == "issued":
            claimed(ctx, found)
    except CampaignError as exc:
        return error_response(exc.code, _translated(exc.message), exc.status)
    status = claim_status(ctx, found)
    return jsonify(claim={"state": status.state, "step": status.step})


@bp.post("/<slug>/coupons/<code>/address")
def save_address(slug: str, code: str):
    """Record or change the shipping address of the follower's prize (JSON), until it ships."""
    found = _my_coupon(slug, code)
    body = request.get_json(silent=True) if request.is_json else None
    if not isinstance(body, dict):
        raise InvalidInput("Send the address as a JSON object.", fields={"Content-Type": "json"})
    ctx = context()
    try:
        shipment = shipping.save_address(ctx, found, body, request.remote_addr or "")
    except CampaignError as exc:
        # The follower reads the refusal in the page's language, field by field.
        fields = {name: _translated(text) for name, text in exc.fields.items()}
        return error_response(exc.code, _translated(exc.message), exc.status, fields)
    return jsonify(status=shipment.status, address=shipping.address_of(ctx, shipment).one_line())
