"""``GET /api/v1/campaigns/<slug>/channels``: the results by placement, one object per channel."""

from __future__ import annotations

from flask import jsonify

from campaigns.analytics.by_channel import channel_document, channel_totals, placements
from campaigns.analytics.stats import results
from campaigns.catalog import editing
from extensions import db
from web.services import services
from web.staff_auth import current_staff, staff_required

from . import bp

READERS = ("operator", "marketer")


@bp.get("/campaigns/<slug>/channels")
@staff_required(*READERS)
def channels(slug: str):
    """Each channel's totals (its QR channels, then share, menu, direct, other); the sums are the campaign's totals."""
    campaign = editing.campaign_for(db.session, current_staff(), slug)
    res = results(db.session, campaign, services().clock.now())
    totals = channel_totals(res.rows, placements(sorted(campaign.channels, key=lambda c: c.id)))
    return jsonify(channel_document(campaign.slug, totals))
