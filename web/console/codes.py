"""Uploading a prize's coupon codes as CSV, with a line-numbered report."""

from __future__ import annotations

from flask import jsonify, render_template, request
from flask_babel import gettext as _

from campaigns.catalog import editing, validation
from campaigns.errors import InvalidInput, NotFound
from campaigns.staff.code_import import import_codes
from extensions import db
from web.errors import wants_json
from web.staff_auth import staff_required

from ..services import context
from . import bp
from .common import EDITORS, me, now
from .i18n import translate


def _tier(campaign, name: str):
    tier = next((t for t in campaign.tiers if t.tier == name), None)
    if tier is None:
        raise NotFound(_("This campaign has no such prize."))
    return tier


@bp.get("/campaigns/<slug>/codes")
@staff_required(*EDITORS)
def codes(slug: str):
    """The upload page: codes in each tier's pool, and the form."""
    campaign = editing.campaign_for(db.session, me(), slug)
    return render_template(
        "console/codes.html", campaign=campaign, counts=validation.available_codes(db.session, campaign), report=None
    )


@bp.post("/campaigns/<slug>/codes")
@staff_required(*EDITORS)
def upload_codes(slug: str):
    """Check an uploaded CSV; import it when clean, or when the marketer chose to skip bad lines."""
    campaign = editing.campaign_for(db.session, me(), slug)
    tier = _tier(campaign, request.form.get("tier", ""))
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise InvalidInput(_("Choose a CSV file to upload."), fields={"file": _("Choose a file.")})
    report = import_codes(
        context(), me(), tier, upload.read(), skip_errors=request.form.get("skip_errors") == "y", now=now()
    )
    if not report.imported:
        db.session.rollback()
    body = {"tier": tier.tier, **report.as_dict()}
    # The console shows each refused line in the staff member's language (the API keeps English).
    body["errors"] = [{**error, "message": translate(error["message"])} for error in body["errors"]]
    status = 200 if report.imported or not report.errors else 422
    if wants_json() or request.headers.get("X-Requested-With") == "fetch":
        return jsonify(body), status
    return render_template(
        "console/codes.html", campaign=campaign, report=body, counts=validation.available_codes(db.session, campaign)
    ), status
