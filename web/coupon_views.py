"""The follower's coupons: the QR image, the coupon's state, and the signed ``wx.addCard`` card list.

Only the logged-in winner sees a coupon; anyone else gets 404, so codes cannot be probed.
"""

from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify

from campaigns.catalog.services import get_by_slug
from campaigns.coupons import qr
from campaigns.coupons.issuers import issuer_for
from campaigns.coupons.services import effective_state, follower_view, owned_coupon
from campaigns.errors import CouponNotValid, CouponRefused
from extensions import db

from .follower import require_openid
from .services import context

bp = Blueprint("coupons", __name__, url_prefix="/c")


def _my_coupon(slug: str, code: str):
    campaign = get_by_slug(db.session, slug)
    redis = current_app.extensions["services"].redis
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
    if found.tier.coupon_kind != "wechat_card":
        raise CouponRefused("This prize is not a WeChat card.")
    state = effective_state(found, ctx.clock.now())
    if state != "issued":
        raise CouponNotValid(f"This card cannot be added to the wallet any more ({state}).")
    return jsonify(cardList=[issuer_for("wechat_card").sign(ctx, found)])
