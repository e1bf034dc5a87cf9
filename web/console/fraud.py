"""The fraud checks in the console: the manual review queue of a campaign and the account's openid blacklist."""

from __future__ import annotations

from flask import flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from campaigns.catalog import editing
from campaigns.catalog.models import OfficialAccount
from campaigns.coupons import fraud
from campaigns.coupons.models import BlockedOpenid
from campaigns.errors import InvalidInput, NotFound
from campaigns.staff import review
from campaigns.staff.services import require_account
from extensions import db
from web.errors import wants_json
from web.staff_auth import staff_required

from . import bp
from .common import EDITORS, me, now, services
from .i18n import translate


@bp.get("/campaigns/<slug>/review")
@staff_required(*EDITORS)
def review_queue(slug: str):
    """The claims held for review: prizes worth more than the campaign's threshold."""
    campaign = editing.campaign_for(db.session, me(), slug)
    return render_template("console/review.html", campaign=campaign, claims=review.held(db.session, campaign))


@bp.post("/campaigns/<slug>/review/<int:claim_id>/<any(approve, reject):decision>")
@staff_required(*EDITORS)
def decide(slug: str, claim_id: int, decision: str):
    """Approve a held claim (it goes on) or reject it (void, its stock returned as a new rules version)."""
    campaign = editing.campaign_for(db.session, me(), slug)
    svc = services()
    if decision == "approve":
        review.approve(db.session, me(), campaign, claim_id, svc.clock)
    else:
        review.reject(db.session, svc.redis, me(), campaign, claim_id, svc.clock, svc.secrets)
    db.session.commit()
    if wants_json():
        return jsonify(decision=decision, claim=claim_id)
    flash(_("Claim approved.") if decision == "approve" else _("Claim rejected; its stock was returned."))
    return redirect(url_for("console.review_queue", slug=slug))


def _account(slug: str) -> OfficialAccount:
    account = db.session.scalar(select(OfficialAccount).where(OfficialAccount.slug == slug))
    if account is None:
        raise NotFound(_("No such Official Account."))
    require_account(db.session, me(), account.id)
    return account


def _blacklist_page(account: OfficialAccount, report=None, status: int = 200):
    entries = db.session.scalars(
        select(BlockedOpenid).where(BlockedOpenid.account_id == account.id).order_by(BlockedOpenid.id.desc())
    )
    return render_template("console/blacklist.html", account=account, entries=list(entries), report=report), status


@bp.get("/accounts/<account_slug>/blacklist")
@staff_required(*EDITORS)
def blacklist(account_slug: str):
    """The account's blocked openids: their prizes are never paid or shipped."""
    return _blacklist_page(_account(account_slug))


@bp.post("/accounts/<account_slug>/blacklist")
@staff_required(*EDITORS)
def add_to_blacklist(account_slug: str):
    """Block one openid from the form, or every line of a CSV (``openid[,reason]``); a bad line blocks nothing."""
    account = _account(account_slug)
    upload = request.files.get("file")
    if upload is not None and upload.filename:
        entries, errors = fraud.parse_blacklist(upload.read())
    else:
        entries, errors = fraud.parse_blacklist(
            f"{request.form.get('openid', '')},{request.form.get('reason', '')}".encode()
        )
    if not entries and not errors:
        raise InvalidInput(_("Enter an openid or choose a CSV file."), fields={"openid": _("Required.")})
    report = {"added": 0, "errors": [{"line": n, "message": translate(m)} for n, m in errors]}
    if not errors:
        report["added"] = fraud.block(db.session, me(), account, entries, now())
        db.session.commit()
    if wants_json():
        return jsonify(report), 422 if errors else 200
    return _blacklist_page(account, report, 422 if errors else 200)


@bp.post("/accounts/<account_slug>/blacklist/remove")
@staff_required(*EDITORS)
def remove_from_blacklist(account_slug: str):
    """Take an openid off the blacklist."""
    account = _account(account_slug)
    fraud.unblock(db.session, me(), account, request.form.get("openid", ""), now())
    db.session.commit()
    return redirect(url_for("console.blacklist", account_slug=account_slug))
