"""The staff's mobile redemption page: scan or type a code, see the coupon, confirm.

Operators and marketers sign in to the console and pick their store; a store's
staff may instead use the store's link (``/redeem/s/<token>/``), which a marketer
can revoke. Look-ups and confirmations are JSON calls made by ``static/js/redeem.js``.
"""

from __future__ import annotations

from flask import jsonify, render_template, request, url_for

from campaigns.coupons import redeem as redemption
from campaigns.coupons.models import Store
from campaigns.coupons.stores import active_stores, link_for_token
from campaigns.errors import InvalidInput, NotFound
from extensions import db

from ..services import context
from ..staff_auth import current_staff, staff_required
from .blueprint import STAFF_ROLES, bp, mine


def _body() -> dict:
    """The JSON object sent; anything else (a list, a number, not JSON) reads as empty."""
    body = request.get_json(silent=True)
    return body if isinstance(body, dict) else {}


def _entered() -> str:
    body = _body()
    code = body.get("code")
    if not isinstance(code, str) or not code.strip() or len(code) > 200:
        raise InvalidInput("Type or scan a coupon code.", fields={"code": "required"})
    return code


def _staff_redeemer() -> redemption.Redeemer:
    body = _body()
    store_id = body.get("store_id")
    store = db.session.get(Store, store_id) if type(store_id) is int else None
    if store is None or not store.active or not mine(store.account_id):
        raise NotFound("Choose your store first.")
    return redemption.Redeemer(store=store, staff_id=current_staff().id)


def _link_redeemer(token: str) -> redemption.Redeemer:
    link = link_for_token(db.session, token)
    return redemption.Redeemer(store=link.store, link=link)


@bp.get("/")
@staff_required(*STAFF_ROLES)
def page():
    """The page for signed-in staff, with the stores to choose from."""
    choices = [{"id": s.id, "name": s.name} for s in active_stores(db.session) if mine(s.account_id)]
    return render_template(
        "redeem/index.html", stores=choices, store=None, lookup_url=url_for(".lookup"), confirm_url=url_for(".confirm")
    )


@bp.post("/lookup")
@staff_required(*STAFF_ROLES)
def lookup():
    """The coupon behind a code, for the staff member's store."""
    return jsonify(redemption.look_up(context(), _staff_redeemer(), _entered()))


@bp.post("/confirm")
@staff_required(*STAFF_ROLES)
def confirm():
    """Redeem the coupon for the staff member's store."""
    return jsonify(redemption.redeem(context(), _staff_redeemer(), _entered()))


@bp.get("/s/<token>/")
def link_page(token: str):
    """The page of a store's staff link."""
    store = link_for_token(db.session, token).store
    return render_template(
        "redeem/index.html",
        stores=[],
        store={"id": store.id, "name": store.name},
        lookup_url=url_for(".link_lookup", token=token),
        confirm_url=url_for(".link_confirm", token=token),
    )


@bp.post("/s/<token>/lookup")
def link_lookup(token: str):
    """The coupon behind a code, for the link's store."""
    return jsonify(redemption.look_up(context(), _link_redeemer(token), _entered()))


@bp.post("/s/<token>/confirm")
def link_confirm(token: str):
    """Redeem the coupon for the link's store."""
    return jsonify(redemption.redeem(context(), _link_redeemer(token), _entered()))
