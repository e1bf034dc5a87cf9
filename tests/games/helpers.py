"""Campaigns, logged-in followers and published prize tables for the game tests."""
from __future__ import annotations

import importlib
from datetime import timedelta

from campaigns.clock import SystemClock
from extensions import db
from tests.factories import CampaignFactory, PrizeTierFactory

PRIZES = (
    # tier, name, weight, stock, fallback
    ("gold", "一等奖 咖啡", 1, 50, False),
    ("silver", "二等奖 半价券", 1, 50, False),
    ("none", "谢谢参与", 1, 0, True),
)


def make_campaign(game: str = "scratch", prizes=PRIZES, **fields):
    """A campaign of ``game`` with a prize table, running now by the system clock."""
    now = SystemClock().now()
    fields.setdefault("starts_at", now - timedelta(days=1))
    fields.setdefault("ends_at", now + timedelta(days=7))
    fields.setdefault("status", "live")
    campaign = CampaignFactory(game=game, **fields)
    for position, (tier, name, weight, stock, fallback) in enumerate(prizes):
        PrizeTierFactory(campaign=campaign, position=position, tier=tier, name=name, weight=weight,
                         stock=stock, is_fallback=fallback)
    db.session.flush()
    db.session.refresh(campaign)
    return campaign


def publish(services, campaign):
    """Publish through the draw engine (loads the Redis state the draw script reads)."""
    module = importlib.import_module("campaigns.catalog.publish")
    module.publish(db.session, services.redis, campaign, clock=services.clock, secrets=services.secrets)
    db.session.commit()
    return campaign


def log_in(client, campaign, openid: str = "o-follower-1") -> str:
    """Log a follower in on the Flask test client."""
    with client.session_transaction() as session:
        session[f"follower:{campaign.account_id}"] = openid
    return openid


def sign_in_cookie(app, live_server, campaign, openid: str = "o-follower-1") -> dict:
    """A signed Flask session cookie logging ``openid`` in, for a Playwright context."""
    value = app.session_interface.get_signing_serializer(app).dumps({f"follower:{campaign.account_id}": openid})
    return {"name": app.config.get("SESSION_COOKIE_NAME", "session"), "value": value, "url": live_server.url}


def open_game(page, app, live_server, campaign, openid: str = "o-follower-1") -> str:
    """Log ``openid`` in with a signed session cookie and open the campaign's game page."""
    page.context.add_cookies([sign_in_cookie(app, live_server, campaign, openid)])
    page.goto(f"{live_server.url}/c/{campaign.slug}/")
    return openid
