"""The real-winners ticker's endpoint: the campaign's cached list of its last ledger wins."""

from __future__ import annotations

from typing import Any

from flask import jsonify

from campaigns.draws.winners import cached_wins, shown_count
from extensions import db
from web.services import services

from . import bp


def winners_shown(look: dict[str, Any] | None) -> bool:
    """Whether the campaign's page has a winners ticker."""
    return shown_count(look) > 0


@bp.get("/<slug>/winners")
def winners(slug: str):
    """The last wins of a published campaign, newest first (empty when the campaign shows no ticker)."""
    svc = services()
    campaign = svc.published.get(db.session, slug)
    response = jsonify(winners=cached_wins(svc.redis, db.session, campaign.id))
    response.headers["Cache-Control"] = "private, max-age=5"
    return response
