"""Campaigns, logged-in followers and published prize tables for the game tests."""

from __future__ import annotations

from datetime import timedelta

from campaigns.clock import SystemClock
from campaigns.draws.publish import publish
from extensions import db
from tests.factories import CampaignFactory, CouponCodeFactory, PrizeTierFactory

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
        PrizeTierFactory(
            campaign=campaign, position=position, tier=tier, name=name, weight=weight, stock=stock, is_fallback=fallback
        )
    db.session.flush()
    db.session.refresh(campaign)
    return campaign


def published(services, game: str = "scratch", prizes=PRIZES, codes: dict[str, int] | None = None, **fields):
    """A campaign published through the draw engine (seed, rules, the Redis state the draw script reads).

    ``codes`` gives tiers a pool of coupon codes. The per-player minimum interval between
    draws is off, so tests can play quickly.
    """
    campaign = make_campaign(game, prizes, **{**fields, "status": "draft"})
    for tier in campaign.tiers:
        for n in range((codes or {}).get(tier.tier, 0)):
            tier.coupon_kind = "code"
            CouponCodeFactory(tier_id=tier.id, code=f"C{campaign.id}{tier.tier.upper()}{n:04d}")
    db.session.flush()
    publish(db.session, services.redis, campaign, clock=services.clock, secrets=services.secrets, min_interval_ms=0)
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


def ledger(services, campaign) -> list:
    """The campaign's SQL draw ledger after ingesting its event stream, in ``seq`` order."""
    from sqlalchemy import select

    from campaigns.draws.models import Draw
    from campaigns.recorder import ingest_batch

    with services.session_factory() as session:
        while ingest_batch(session, services.redis, campaign.id, "games-test"):
            pass
        return list(session.scalars(select(Draw).where(Draw.campaign_id == campaign.id).order_by(Draw.seq)))


def segment_under_pointer(page) -> str:
    """The tier of the wheel segment under the pointer, from the wheel's resting angle."""
    import json

    wheel = page.locator("#wheel")
    segments = json.loads(wheel.get_attribute("data-segments"))
    angle = float(wheel.get_attribute("data-angle"))
    # The wheel turned ``angle`` degrees clockwise, so the pointer (at 0°) sees the wheel's point at -angle.
    return segments[int(((360 - angle) % 360) // (360 / len(segments)))]


def scratch_row(cdp, box: dict, fraction: float, steps: int = 16) -> None:
    """Drag one finger across the card at ``fraction`` of its height, with real touch events."""
    y = box["y"] + box["height"] * fraction
    points = [{"x": box["x"] + box["width"] * (0.02 + 0.96 * i / steps), "y": y} for i in range(steps + 1)]
    cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [points[0]]})
    for point in points[1:]:
        cdp.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [point]})
    cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})


def lit_cell(page) -> str:
    """The tier of the grid's lit cell (exactly one cell is lit once the light has run)."""
    lit = page.locator("#grid .cell.on")
    assert lit.count() == 1
    return lit.get_attribute("data-tier")


def slot_line(page) -> list[str]:
    """The symbols on the slot's pay line, read where they are drawn: the middle of each reel's window."""
    return page.evaluate(
        """() => Array.from(document.querySelectorAll('#slot .reel')).map(reel => {
            const box = reel.getBoundingClientRect();
            const hit = document.elementFromPoint(box.left + box.width / 2, box.top + box.height / 2);
            return hit.closest('.sym').dataset.symbol;
        })"""
    )


def drop_the_first_answer(page) -> list[str]:
    """Let the server draw the first play but lose its answer on the way back; return each try's key."""
    keys: list[str] = []

    def route(request_route):
        keys.append(request_route.request.headers.get("idempotency-key"))
        if len(keys) == 1:
            request_route.fetch()  # the server draws ...
            request_route.abort("connectionreset")  # ... but the answer never reaches the phone
        else:
            request_route.continue_()

    page.route("**/draw", route)
    return keys
