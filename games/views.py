"""The game page of a campaign."""
from __future__ import annotations

from flask import render_template

from campaigns.catalog.services import get_by_slug
from extensions import db

from . import bp
from .registry import get


@bp.get("/<slug>/")
def page(slug: str):
    """The campaign's game page."""
    campaign = get_by_slug(db.session, slug)
    game = get(campaign.game)
    return render_template(game.template, campaign=campaign, game=game)
