"""A shipped prize walked in Chromium on a phone: win it, give the address (the form, then WeChat's
wx.openAddress through the simulator's stand-in), see it wait to ship, then see it shipped."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from campaigns.clock import SystemClock
from campaigns.coupons.models import Shipment
from campaigns.coupons.services import generate_missing
from campaigns.draws.publish import publish
from extensions import db
from tests.factories import CampaignFactory, PrizeTierFactory, StaffFactory

from .conftest import log_in_staff

pytestmark = pytest.mark.browser


def shipping_campaign(services, account):
    """A live lucky wheel whose every draw wins a prize shipped to an address."""
    now = SystemClock().now()
    campaign = CampaignFactory(
        account=account,
        game="wheel",
        status="draft",
        starts_at=now.replace(year=now.year - 1),
        ends_at=now.replace(year=now.year + 1),
    )
    PrizeTierFactory(
        campaign=campaign, position=0, tier="bag", name="帆布袋（包邮）", weight=1, stock=3, coupon_kind="shipping"
    )
    PrizeTierFactory(campaign=campaign, position=1, tier="none", name="谢谢参与", weight=0, stock=0, is_fallback=True)
    db.session.flush()
    db.session.refresh(campaign)
    generate_missing(db.session, campaign)
    publish(db.session, services.redis, campaign, clock=services.clock, secrets=services.secrets)
    db.session.commit()
    return campaign


def test_a_winner_gives_an_address_and_follows_the_parcel(
    app, sim_live_server, services, account, phone, client, artifacts
):
    campaign = shipping_campaign(services, account)
    cookie = app.session_interface.get_signing_serializer(app).dumps({f"follower:{campaign.account_id}": "o-fan"})
    phone.context.add_cookies([{"name": "session", "value": cookie, "url": sim_live_server.url}])
    phone.goto(f"{sim_live_server.url}/c/{campaign.slug}/")
    phone.click("#spin")
    phone.wait_for_selector("#result:not([hidden])", timeout=15_000)
    assert phone.locator("#claim-link").inner_text() == "填写收货地址"
    phone.click("#prizes-panel summary")
    phone.wait_for_selector("#prizes li .claim-next")
    assert phone.locator("#prizes li").first.inner_text().startswith("帆布袋（包邮） · 待填写地址")
    phone.screenshot(path=str(artifacts / "shipping-won.png"), full_page=True)

    phone.click("#claim-link")
    phone.wait_for_selector("#address-form")
    phone.fill("input[name=recipient]", "李四")
    phone.fill("input[name=phone]", "139abc")
    phone.select_option("select[name=province]", "广东省")
    phone.fill("input[name=city]", "深圳市")
    phone.fill("input[name=district]", "南山区")
    phone.fill("input[name=detail]", "科技园南区 8 栋 301")
    phone.click("#save-address")
    error = phone.locator(".field-error[data-for=phone]")
    error.wait_for(state="visible")
    assert "11 位数字" in error.inner_text()
    assert db.session.scalar(select(Shipment)) is None
    phone.screenshot(path=str(artifacts / "shipping-address-error.png"), full_page=True)

    phone.fill("input[name=phone]", "13900139000")
    phone.click("#save-address")
    phone.wait_for_function("() => document.getElementById('claim-state').textContent === '待发货'")
    assert "李四 13900139000" in phone.locator("#address-summary").inner_text()

    # Inside WeChat the address comes from wx.openAddress (here the simulator's stand-in).
    assert phone.evaluate("() => new Promise(ok => window.wx ? wx.ready(() => ok(true)) : ok(false))") is True
    phone.click("#wx-address")
    phone.wait_for_function("() => document.getElementById('address-summary').textContent.includes('张三')")
    assert "广东省广州市天河区天河路 385 号 1201 室" in phone.locator("#address-summary").inner_text()
    phone.screenshot(path=str(artifacts / "shipping-address-given.png"), full_page=True)

    code = db.session.scalar(select(Shipment)).coupon.code
    staff = StaffFactory(role="marketer", accounts=[account])
    db.session.commit()
    log_in_staff(client, staff)
    imported = client.post(
        f"/console/campaigns/{campaign.slug}/claims/tracking",
        data={"file": (io.BytesIO(f"{code},顺丰速运,SF1234567890\n".encode()), "t.csv")},
        content_type="multipart/form-data",
        headers={"Accept": "application/json"},
    )
    assert imported.get_json()["shipped"] == 1
    phone.reload()
    assert phone.locator("#claim-state").inner_text() == "已发货"
    assert phone.locator("#tracking-number").inner_text() == "SF1234567890"
    assert phone.locator("#address-form").count() == 0
    phone.screenshot(path=str(artifacts / "shipping-shipped.png"), full_page=True)

    # The console's claims list, on a desktop, in Chinese.
    desktop = phone.context.browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
    staff_cookie = app.session_interface.get_signing_serializer(app).dumps({"staff_id": staff.id})
    desktop.add_cookies([{"name": "session", "value": staff_cookie, "url": sim_live_server.url}])
    console = desktop.new_page()
    console.goto(f"{sim_live_server.url}/console/campaigns/{campaign.slug}/claims")
    row = console.locator(f"#claims tr[data-code='{code}']")
    assert "已发货" in row.inner_text() and "张三" in row.inner_text() and "SF1234567890" in row.inner_text()
    console.screenshot(path=str(artifacts / "shipping-console-claims.png"), full_page=True)
    desktop.close()
