"""The staff redemption page in Chromium on a phone: type a code, see the coupon, confirm once."""

from __future__ import annotations

import pytest

from campaigns.coupons.stores import create_link
from extensions import db

from .conftest import won

pytestmark = [pytest.mark.browser, pytest.mark.clock]


@pytest.fixture
def phone(browser):
    """A staff member's phone, in English so the assertions read the source texts."""
    context = browser.new_context(
        viewport={"width": 375, "height": 740}, device_scale_factor=2, is_mobile=True, has_touch=True, locale="en-US"
    )
    page = context.new_page()
    yield page
    context.close()


def sign_in(app, page, live_server, data: dict) -> None:
    cookie = app.session_interface.get_signing_serializer(app).dumps(data)
    page.context.add_cookies([{"name": "session", "value": cookie, "url": live_server.url}])


def test_an_operator_redeems_by_typing_the_code(app, live_server, phone, artifacts, code_tier, store, operator):
    coupon = won(code_tier, code="K7QX9MZPABCDE")
    sign_in(app, phone, live_server, {"staff_id": operator.id})

    phone.goto(f"{live_server.url}/redeem/")
    assert phone.locator("#store option").all_inner_texts() == ["Store A"]
    phone.fill("#code", "k7qx 9mzp abcde")
    phone.click("#lookup")
    phone.locator("#coupon").wait_for(state="visible", timeout=5000)
    assert phone.locator("#c-prize").inner_text() == "Free coffee"
    assert phone.locator("#c-state").inner_text() == "not yet used"
    phone.click("#confirm")
    phone.locator("#message.ok").wait_for(timeout=5000)
    assert phone.locator("#message").inner_text() == "Redeemed: Free coffee"
    assert phone.locator("#c-state").inner_text() == "redeemed (Store A)"
    assert phone.locator("#confirm").is_hidden()
    phone.screenshot(path=str(artifacts / "coupons-redeemed.png"))

    db.session.expire_all()
    assert coupon.state == "redeemed"


def test_a_store_link_shows_the_refusal_for_a_redeemed_coupon(app, live_server, phone, artifacts, code_tier, store):
    coupon = won(code_tier, code="REDEEMEDTWICE")
    _, token = create_link(db.session, store)
    db.session.commit()

    for attempt in ("ok", "refused"):
        phone.goto(f"{live_server.url}/redeem/s/{token}/")
        phone.fill("#code", coupon.code)
        phone.click("#lookup")
        if attempt == "ok":
            phone.click("#confirm")
        phone.locator(f"#message.{attempt}" if attempt == "ok" else "#coupon").wait_for(timeout=5000)
    assert phone.locator("#c-state").inner_text() == "redeemed (Store A)"
    assert phone.locator("#confirm").is_hidden()
    phone.fill("#code", "GUESSEDCODE99")
    phone.click("#lookup")
    phone.locator("#message.refused").wait_for(timeout=5000)
    assert phone.locator("#message").inner_text() == "No coupon has this code; check what you typed."
    phone.screenshot(path=str(artifacts / "coupons-refused.png"))
