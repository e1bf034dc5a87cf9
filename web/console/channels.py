"""A campaign's channels: add one (also while live), and each channel's QR code to show and download."""

from __future__ import annotations

import requests
from flask import Response, flash, redirect, request, url_for
from flask_babel import gettext as _

from campaigns.catalog import editing
from campaigns.catalog.models import Channel
from campaigns.errors import Busy, InvalidInput, NotFound
from campaigns.wechat.client import client_for
from campaigns.wechat.qr import channel_qr_url
from extensions import db
from web.staff_auth import staff_required

from ..services import services
from . import bp
from .campaigns import campaign_page
from .common import EDITORS, me, now

# WeChat's showqrcode answers a JPEG; the simulator a PNG.
IMAGE_TYPES = {"image/jpeg": "jpg", "image/jpg": "jpg", "image/png": "png"}


@bp.post("/campaigns/<slug>/channels")
@staff_required(*EDITORS)
def add_channel(slug: str):
    """Add a channel; its QR code is made with WeChat when first shown."""
    campaign = editing.campaign_for(db.session, me(), slug)
    try:
        channel = editing.add_channel(db.session, me(), campaign, request.form.get("channel"), now())
    except InvalidInput as exc:
        db.session.rollback()
        return campaign_page(editing.campaign_for(db.session, me(), slug), error=exc.message, fields=exc.fields), 400
    db.session.commit()
    services().replies.forget(campaign.account.slug)  # follows through the new QR code find its campaign now
    flash(_("Channel %(name)s added; print its QR code below.", name=channel.name))
    return redirect(url_for("console.campaign", slug=slug) + "#channels")


def _channel(slug: str, channel_id: str | None) -> Channel:
    campaign = editing.campaign_for(db.session, me(), slug)
    channel = next((c for c in campaign.channels if str(c.id) == channel_id), None)
    if channel is None:
        raise NotFound(_("This campaign has no such channel."))
    return channel


@bp.get("/campaigns/<slug>/channel-qr")
@staff_required()
def channel_qr(slug: str):
    """The QR code image of the channel ``?channel=<id>`` from WeChat (``&download=1`` to save it), served from here."""
    channel = _channel(slug, request.args.get("channel"))
    svc = services()
    channel_qr_url(svc, channel)
    # The ticket is permanent: keep it, so the printed code and the one shown later are the same.
    db.session.commit()
    try:
        image = client_for(svc, channel.campaign.account).qrcode.show(channel.qr_ticket)
    except (requests.RequestException, OSError) as exc:
        raise Busy(_("WeChat cannot be reached right now; please try again in a moment.")) from exc
    kind = image.headers.get("Content-Type", "").split(";")[0].strip()
    if image.status_code != 200 or kind not in IMAGE_TYPES:
        raise Busy(_("WeChat did not send the QR code; please try again in a moment."))
    response = Response(image.content, mimetype=kind, headers={"Cache-Control": "private, max-age=3600"})
    if request.args.get("download"):
        name = f"{slug}-channel-{channel.id}.{IMAGE_TYPES[kind]}"
        response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
