"""Stores, their revocable staff links, and the refusal log: pages of the redemption blueprint.

Marketers add stores and create or revoke a store's staff link (its URL is shown once);
operators and marketers read the refused look-ups and redemptions.
"""

from __future__ import annotations

from flask import redirect, render_template, request, url_for
from sqlalchemy import select

from campaigns.catalog.models import Campaign, OfficialAccount
from campaigns.coupons import redeem as redemption
from campaigns.coupons.models import Store, StoreLink
from campaigns.coupons.stores import create_link, create_store, revoke_link
from campaigns.errors import NotFound
from campaigns.staff.services import require_account
from extensions import db

from ..services import context
from ..staff_auth import current_staff, staff_required
from .blueprint import STAFF_ROLES, bp, mine


def _page(new_link_url: str | None = None):
    # Staff see and manage the stores of their own accounts only.
    accounts = [a for a in db.session.scalars(select(OfficialAccount).order_by(OfficialAccount.name)) if mine(a.id)]
    stores = [s for s in db.session.scalars(select(Store).order_by(Store.name)) if mine(s.account_id)]
    links = list(db.session.scalars(select(StoreLink).where(StoreLink.revoked_at.is_(None)).order_by(StoreLink.id)))
    campaigns = list(db.session.scalars(select(Campaign).where(Campaign.archived.is_(False)).order_by(Campaign.name)))
    return render_template(
        "redeem/stores.html",
        accounts=accounts,
        stores=stores,
        links=links,
        campaigns=campaigns,
        new_link_url=new_link_url,
    )


def _get(model, ident: int):
    found = db.session.get(model, ident)
    if found is None:
        raise NotFound("This does not exist.")
    return found


@bp.get("/stores")
@staff_required("marketer")
def stores():
    """The stores and their live staff links."""
    return _page()


@bp.post("/stores")
@staff_required("marketer")
def add_store():
    """Add a store to an account."""
    account = _get(OfficialAccount, request.form.get("account_id", type=int) or 0)
    require_account(db.session, current_staff(), account.id)
    create_store(db.session, account, request.form.get("name", ""))
    db.session.commit()
    return redirect(url_for(".stores"))


@bp.post("/stores/<int:store_id>/links")
@staff_required("marketer")
def add_link(store_id: int):
    """Create a staff link for the store; its URL is shown this once."""
    store = _get(Store, store_id)
    require_account(db.session, current_staff(), store.account_id)
    campaign_id = request.form.get("campaign_id", type=int)
    campaign = _get(Campaign, campaign_id) if campaign_id else None
    if campaign is not None and campaign.account_id != store.account_id:
        raise NotFound("This campaign is not one of the store's account.")
    _, token = create_link(
        db.session, store, campaign=campaign, label=request.form.get("label", ""), created_by_id=current_staff().id
    )
    db.session.commit()
    return _page(new_link_url=url_for(".link_page", token=token, _external=True))


@bp.post("/links/<int:link_id>/revoke")
@staff_required("marketer")
def revoke(link_id: int):
    """Revoke a store's staff link at once."""
    link = _get(StoreLink, link_id)
    require_account(db.session, current_staff(), link.store.account_id)
    revoke_link(db.session, link, context().clock)
    db.session.commit()
    return redirect(url_for(".stores"))


@bp.get("/refusals")
@staff_required(*STAFF_ROLES)
def refusals():
    """The latest refused look-ups and redemptions."""
    shown = [r for r in redemption.refusals(context()) if r.store is None or mine(r.store.account_id)]
    return render_template("redeem/refusals.html", refusals=shown)
