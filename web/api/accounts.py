"""What the Official Account says, over the API: its replies, its custom menu, and a campaign's service notices."""

from __future__ import annotations

from flask import jsonify, request

from campaigns.catalog import editing
from campaigns.errors import InvalidInput
from campaigns.wechat import notices, voice
from extensions import db
from web.services import services
from web.staff_auth import current_staff, staff_required

from . import bp

EDITORS = ("marketer",)


def _json_body() -> object:
    body = request.get_json(silent=True)
    if body is None:
        raise InvalidInput("Send a JSON body with Content-Type: application/json.", fields={"body": "Not JSON."})
    return body


def _committed(slug: str) -> None:
    db.session.commit()
    services().replies.forget(slug)


@bp.get("/accounts/<slug>/replies")
@staff_required()
def get_replies(slug: str):
    """The welcome message, the default reply, the keywords and the menu-click replies."""
    return jsonify(voice.get_replies(db.session, current_staff(), slug))


@bp.put("/accounts/<slug>/replies")
@staff_required(*EDITORS)
def put_replies(slug: str):
    """Replace the account's replies."""
    saved = voice.put_replies(db.session, current_staff(), slug, _json_body(), services().clock.now())
    _committed(slug)
    return jsonify(saved)


@bp.get("/accounts/<slug>/menu")
@staff_required()
def get_menu(slug: str):
    """The saved custom menu in WeChat's menu JSON."""
    return jsonify(voice.get_menu(db.session, current_staff(), slug))


@bp.put("/accounts/<slug>/menu")
@staff_required(*EDITORS)
def put_menu(slug: str):
    """Replace the saved menu with WeChat's menu JSON (checked within WeChat's limits; not yet published)."""
    svc = services()
    saved = voice.put_menu(db.session, svc, current_staff(), slug, _json_body(), svc.clock.now())
    _committed(slug)
    return jsonify(saved)


@bp.post("/accounts/<slug>/menu/publish")
@staff_required(*EDITORS)
def publish_menu(slug: str):
    """Send the saved menu to WeChat (menu/create)."""
    svc = services()
    published = voice.publish_menu(db.session, svc, current_staff(), slug, svc.clock.now())
    _committed(slug)
    return jsonify(published)


@bp.post("/accounts/<slug>/menu/import")
@staff_required(*EDITORS)
def import_menu(slug: str):
    """Replace the saved menu by the one WeChat has (menu/get)."""
    svc = services()
    imported = voice.import_menu(db.session, svc, current_staff(), slug, svc.clock.now())
    _committed(slug)
    return jsonify(imported)


@bp.get("/campaigns/<slug>/notices")
@staff_required()
def get_notices(slug: str):
    """Whether the campaign sends service notices (winner, expiry reminder) and with which templates."""
    return jsonify(notices.settings_of(db.session, editing.campaign_for(db.session, current_staff(), slug)))


@bp.put("/campaigns/<slug>/notices")
@staff_required(*EDITORS)
def put_notices(slug: str):
    """Turn the campaign's service notices on or off and set their template ids."""
    campaign = editing.campaign_for(db.session, current_staff(), slug)
    saved = notices.configure(db.session, current_staff(), campaign, _json_body(), services().clock.now())
    db.session.commit()
    return jsonify(saved)
