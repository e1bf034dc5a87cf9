"""The whole journey in Chromium: win a WeChat card, add it to the simulated wallet, redeem it, see it redeemed."""

from __future__ import annotations

import pytest

from campaigns.clock import SystemClock
from campaigns.coupons.services import add_codes
from campaigns.coupons.stores import create_link
from campaigns.draws.publish import publish
from campaigns.recorder import ingest_batch
from extensions import db
from tests.conftest import WECHAT_UA
from tests.factories import CampaignFactory, PrizeTierFactory

from .test_wechat_cards import new_card

pytestmark = pytest.mark.browser


@pytest.fixture
def follower_phone(browser):
    """A follower's phone in WeChat, in English."""
    context = browser.new_context(
        viewport={"width": 375, "height": 740}, is_mobile=True, has_touch=True, user_agent=WECHAT_UA, locale="en-US"
    )
    yield context.new_page()
    context.close()


@pytest.fixture
def staff_phone(browser):
    context = browser.new_context(
        viewport={"width": 375, "height": 740}, is_mobile=True, has_touch=True, locale="en-US"
    )
    yield context.new_page()
    context.close()


def card_campaign(ctx, services, account):
    """A live lucky wheel whose every draw is won as a WeChat card."""
    now = SystemClock().now()
    campaign = CampaignFactory(
        account=account,
        game="wheel",
        status="draft",
        starts_at=now.replace(year=now.year - 1),
        ends_at=now.replace(year=now.year + 1),
    )
    tier = PrizeTierFactory(
        campaign=campaign,
        position=0,
        tier="card",
        name="Coffee card",
        weight=1,
        stock=3,
        coupon_kind="wechat_card",
        card_id=new_card(ctx, account),
    )
    PrizeTierFactory(campaign=campaign, position=1, tier="none", name="Thanks", weight=0, stock=0, is_fallback=True)
    db.session.commit()
    add_codes(ctx, tier, ["J000000001", "J000000002", "J000000003"])
    db.session.refresh(campaign)
    publish(db.session, ctx.redis, campaign, clock=ctx.clock, secrets=services.secrets)
    db.session.commit()
    return campaign


def test_win_add_redeem_and_see_it_redeemed(
    app, live_server, pushing_sim, services, ctx, account, store, follower_phone, staff_phone, artifacts
):
    campaign = card_campaign(ctx, services, account)
    cookie = app.session_interface.get_signing_serializer(app).dumps({f"follower:{campaign.account_id}": "o-fan"})
    follower_phone.context.add_cookies([{"name": "session", "value": cookie, "url": live_server.url}])

    follower_phone.goto(f"{live_server.url}/c/{campaign.slug}/")
    # The page loads the (simulated) JS-SDK itself and configures it with the server's signature.
    assert follower_phone.evaluate("() => new Promise(ok => window.wx ? wx.ready(() => ok(true)) : ok(false))") is True
    follower_phone.click("#spin")
    follower_phone.wait_for_selector("#result:not([hidden])", timeout=15_000)
    follower_phone.click("#add-card")
    follower_phone.wait_for_function("() => document.getElementById('card-msg').textContent.length > 0")
    assert follower_phone.locator("#card-msg").inner_text() == "Added to your WeChat cards"
    wallet = pushing_sim.app.config["SIM_CARDS"].wallet(account.app_id, "o-fan")
    assert len(wallet) == 1 and wallet[0]["status"] == "NORMAL"
    code = wallet[0]["code"]
    follower_phone.screenshot(path=str(artifacts / "coupons-card-added.png"))

    _, token = create_link(db.session, store)
    db.session.commit()
    staff_phone.goto(f"{live_server.url}/redeem/s/{token}/")
    staff_phone.fill("#code", code)
    staff_phone.click("#lookup")
    staff_phone.locator("#coupon").wait_for(timeout=5000)
    assert staff_phone.locator("#c-state").inner_text() == "in the WeChat wallet"
    staff_phone.click("#confirm")
    staff_phone.locator("#message.ok").wait_for(timeout=10_000)
    assert pushing_sim.app.config["SIM_CARDS"].wallet(account.app_id, "o-fan")[0]["status"] == "CONSUMED"

    with services.session_factory() as session:  # the worker's job: the draw into the ledger
        while ingest_batch(session, services.redis, campaign.id, "coupons-test"):
            pass
    follower_phone.reload()
    follower_phone.click("#prizes-panel summary")
    follower_phone.wait_for_function("() => document.getElementById('prizes').textContent.includes('Redeemed')")
    assert follower_phone.locator("#prizes li").all_inner_texts() == ["Coffee card · Redeemed"]
    follower_phone.screenshot(path=str(artifacts / "coupons-card-redeemed.png"), full_page=True)
