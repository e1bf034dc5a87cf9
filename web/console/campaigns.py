"""Campaign pages: the list, the editor (create and edit drafts), duplicate, archive, the overview."""

from __future__ import annotations

from flask import Response, abort, redirect, render_template, request, url_for

from campaigns.catalog import document, editing, validation
from campaigns.coupons import qr
from campaigns.errors import InvalidInput
from campaigns.staff import audit
from campaigns.staff.services import account_ids
from extensions import db
from web.staff_auth import current_role, staff_required

from ..services import services
from . import bp
from .common import EDITORS, form_errors, me, now
from .editor import blank_document, document_from_form, form_values
from .overview import overview


def _accounts():
    from sqlalchemy import select

    from campaigns.catalog.models import OfficialAccount

    allowed = account_ids(db.session, me())
    query = select(OfficialAccount).order_by(OfficialAccount.name)
    if allowed is not None:
        query = query.where(OfficialAccount.id.in_(allowed))
    return list(db.session.scalars(query))


@bp.get("/")
@staff_required()
def campaigns():
    """Every campaign the staff member works on."""
    archived = request.args.get("archived") == "1"
    return render_template(
        "console/campaigns.html",
        campaigns=editing.visible_campaigns(db.session, me(), archived=archived),
        archived=archived,
        can_edit=current_role() in EDITORS + ("admin",),
    )


def _choices() -> list[dict[str, str]]:
    from campaigns.coupons.issuers import choices

    return choices()


def _editor(doc: dict, campaign=None, **extra):
    return render_template(
        "console/editor.html",
        doc=form_values(doc),
        campaign=campaign,
        accounts=_accounts(),
        coupon_choices=_choices(),
        **extra,
    )


@bp.route("/campaigns/new", methods=["GET", "POST"])
@staff_required(*EDITORS)
def new_campaign():
    """The editor for a new draft."""
    if request.method == "GET":
        accounts = _accounts()
        return _editor(blank_document(accounts[0].slug if accounts else None))
    doc = document_from_form(request.form)
    try:
        campaign = editing.save(db.session, me(), doc, now())
    except InvalidInput as exc:
        return form_errors(
            "console/editor.html",
            exc,
            doc=form_values(doc),
            campaign=None,
            accounts=_accounts(),
            coupon_choices=_choices(),
        )
    db.session.commit()
    return redirect(url_for("console.campaign", slug=campaign.slug))


@bp.route("/campaigns/<slug>/edit", methods=["GET", "POST"])
@staff_required(*EDITORS)
def edit_campaign(slug: str):
    """The editor of a draft; published campaigns are frozen."""
    campaign = editing.campaign_for(db.session, me(), slug)
    if request.method == "GET":
        return _editor(document.to_document(campaign), campaign)
    doc = document_from_form(request.form)
    try:
        campaign = editing.save(db.session, me(), doc, now(), campaign)
    except InvalidInput as exc:
        return form_errors(
            "console/editor.html",
            exc,
            doc=form_values(doc),
            campaign=campaign,
            accounts=_accounts(),
            coupon_choices=_choices(),
        )
    db.session.commit()
    return redirect(url_for("console.campaign", slug=campaign.slug))


def campaign_page(found, problems=None, **extra):
    """The campaign page of ``found``; ``problems`` replaces the draft's own, ``extra`` adds an error or fields."""
    if problems is None:
        problems = validation.problems_for(db.session, found, now()) if found.status == "draft" else {}
    return render_template(
        "console/campaign.html",
        campaign=found,
        glance=overview(services(), found),
        problems=problems,
        role=current_role(),
        editor=current_role() in EDITORS + ("admin",),
        history=audit.entries(db.session, account_ids=None, campaign_id=found.id, limit=20),
        **extra,
    )


@bp.get("/campaigns/<slug>")
@staff_required()
def campaign(slug: str):
    """The campaign at a glance: status, time left, plays today, prizes left, follower gain, links."""
    return campaign_page(editing.campaign_for(db.session, me(), slug))


@bp.post("/campaigns/<slug>/duplicate")
@staff_required(*EDITORS)
def duplicate(slug: str):
    """Copy a campaign's configuration into a new draft."""
    original = editing.campaign_for(db.session, me(), slug)
    new_slug = (request.form.get("slug") or "").strip() or f"{original.slug}-copy"
    copy = editing.duplicate(db.session, me(), original, new_slug, now())
    db.session.commit()
    return redirect(url_for("console.edit_campaign", slug=copy.slug))


@bp.post("/campaigns/<slug>/archive")
@staff_required(*EDITORS)
def archive(slug: str):
    """Hide a draft or ended campaign."""
    editing.archive(db.session, me(), editing.campaign_for(db.session, me(), slug), now())
    db.session.commit()
    return redirect(url_for("console.campaigns"))


@bp.get("/campaigns/<slug>/qr.png")
@staff_required()
def game_qr(slug: str):
    """A QR code of the game page's address, for posters."""
    found = editing.campaign_for(db.session, me(), slug)
    base = services().settings.get("PUBLIC_URL") or request.host_url.rstrip("/")
    if not base.startswith(("http://", "https://")):
        abort(404)
    return Response(qr.png(f"{base.rstrip('/')}/c/{found.slug}/"), mimetype="image/png")
