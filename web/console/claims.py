"""Shipped prizes in the console: the claims list, the shipping CSV export, the tracking CSV import."""

from __future__ import annotations

from flask import Response, jsonify, render_template, request
from flask_babel import gettext as _

from campaigns.catalog import editing
from campaigns.coupons.payouts import payouts_of
from campaigns.errors import InvalidInput
from campaigns.staff import shipments
from extensions import db
from web.errors import wants_json
from web.staff_auth import staff_required

from . import bp
from .common import EDITORS, me, now, services
from .i18n import translate


def _page(campaign, report=None, status: int = 200):
    rows = shipments.claims(db.session, services().secrets, campaign)
    packets = payouts_of(db.session, campaign.id)
    return render_template("console/claims.html", campaign=campaign, rows=rows, packets=packets, report=report), status


@bp.get("/campaigns/<slug>/claims")
@staff_required(*EDITORS)
def claims(slug: str):
    """Every won shipped prize: its winner's address and where its parcel is."""
    return _page(editing.campaign_for(db.session, me(), slug))


@bp.get("/campaigns/<slug>/claims.csv")
@staff_required(*EDITORS)
def export_claims(slug: str):
    """The shipping CSV (audit-logged: it carries the winners' addresses)."""
    campaign = editing.campaign_for(db.session, me(), slug)
    body = shipments.export_csv(db.session, services().secrets, me(), campaign, now())
    response = Response(body, mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{campaign.slug}-shipping.csv"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.post("/campaigns/<slug>/claims/tracking")
@staff_required(*EDITORS)
def import_tracking(slug: str):
    """Mark prizes shipped from a CSV of code, carrier and tracking number; nothing changes if a line is bad."""
    campaign = editing.campaign_for(db.session, me(), slug)
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise InvalidInput(_("Choose a CSV file to upload."), fields={"file": _("Choose a file.")})
    report = shipments.import_tracking(db.session, me(), campaign, upload.read(), now())
    if not report.shipped:
        db.session.rollback()
    body = report.as_dict()
    body["errors"] = [{**error, "message": translate(error["message"])} for error in body["errors"]]
    status = 200 if report.shipped or not report.errors else 422
    if wants_json():
        return jsonify(body), status
    return _page(campaign, body, status)
