"""The public rules page: every prize, its quantity and its probability, and the per-player limits."""

from __future__ import annotations

import json
from fractions import Fraction
from typing import Any

from flask import render_template

from campaigns.catalog.models import Campaign

from . import bp
from .look import page_look
from .views import campaign_on_record


def published_rules(campaign: Campaign) -> dict[str, Any] | None:
    """The latest published rules document, or None before publishing."""
    if not campaign.rules_versions:
        return None
    try:
        rules = json.loads(campaign.rules_versions[-1].rules_json)
    except ValueError:
        return None
    return rules if isinstance(rules, dict) and rules.get("prizes") else None


def _draft_rules(campaign: Campaign) -> dict[str, Any]:
    fallback = campaign.fallback_tier
    return {
        "prizes": [{"tier": t.tier, "name": t.name, "weight": t.weight, "stock": t.stock} for t in campaign.tiers],
        "fallback_tier": fallback.tier if fallback else None,
        "limits": {
            "plays_per_day": campaign.plays_per_day,
            "plays_total": campaign.plays_total,
            "wins_total": campaign.wins_total,
        },
    }


def prize_rows(rules: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per prize: name, quantity (None for the fallback: unlimited) and probability per play."""
    total = sum(int(p.get("weight", 0)) for p in rules["prizes"])
    rows = []
    for prize in rules["prizes"]:
        share = Fraction(int(prize.get("weight", 0)), total) if total else Fraction(0)
        fallback = prize["tier"] == rules.get("fallback_tier")
        rows.append(
            {
                "name": prize["name"],
                "fallback": fallback,
                "quantity": None if fallback else int(prize.get("stock", 0)),
                "percent": f"{float(share) * 100:.2f}%",
            }
        )
    return rows


@bp.get("/<slug>/rules")
def rules(slug: str):
    """The campaign's rules and odds, readable by anyone (after archiving too)."""
    campaign = campaign_on_record(slug)
    document = published_rules(campaign) or _draft_rules(campaign)
    return render_template(
        "games/rules.html",
        campaign=campaign,
        look=page_look(campaign.look),
        rows=prize_rows(document),
        limits=document.get("limits") or {},
    )
