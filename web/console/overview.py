"""The numbers on a campaign's page: time left, plays today, prizes left per tier, follower gain."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import select

from campaigns.analytics.models import DailyStat
from campaigns.catalog.models import Campaign
from campaigns.draws import inventory
from extensions import db


def time_left(campaign: Campaign, now: datetime) -> str:
    """``3 d 4 h`` until the end (or until the start of a scheduled campaign); empty once ended."""
    target = campaign.starts_at if campaign.status == "scheduled" else campaign.ends_at
    seconds = int((target - now).total_seconds())
    if campaign.status in ("draft", "ended") or seconds <= 0:
        return ""
    days, rest = divmod(seconds, 86400)
    if days:
        return _("%(days)s d %(hours)s h", days=days, hours=rest // 3600)
    return _("%(hours)s h %(minutes)s min", hours=rest // 3600, minutes=rest % 3600 // 60)


def prizes_left(redis, campaign: Campaign) -> dict[str, int | None]:
    """Stock minus awarded per prize tier (from Redis once published; the configured stock before)."""
    awarded = {}
    if campaign.status != "draft":
        awarded = inventory.awarded(redis, campaign.id)
    return {t.tier: max(0, t.stock - awarded.get(t.tier, 0)) for t in campaign.tiers if not t.is_fallback}


def today_stats(campaign: Campaign, now: datetime) -> dict[str, Any]:
    """Today's plays and the follower gain so far, from the worker's daily statistics."""
    today = now.astimezone(ZoneInfo(campaign.timezone)).date().isoformat()
    rows = list(db.session.scalars(select(DailyStat).where(DailyStat.campaign_id == campaign.id)))
    latest = max(rows, key=lambda r: r.day, default=None)
    current = next((r for r in rows if r.day == today), None)
    return {
        "plays_today": int((current.values or {}).get("plays", 0)) if current else 0,
        "follower_gain": int((latest.values or {}).get("net_follower_gain_total", 0)) if latest else 0,
    }


def overview(services, campaign: Campaign) -> dict[str, Any]:
    """Everything the campaign page shows at a glance."""
    now = services.clock.now()
    return {
        "time_left": time_left(campaign, now),
        "prizes_left": prizes_left(services.redis, campaign),
        **today_stats(campaign, now),
        "links": {
            "game": url_for("games.page", slug=campaign.slug),
            "rules": url_for("games.rules", slug=campaign.slug),
            "fairness": url_for("games.fairness", slug=campaign.slug),
            "results": url_for("results.dashboard", slug=campaign.slug),
        },
    }
