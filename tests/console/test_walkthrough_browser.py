"""A marketer's walk through the console in Chromium: sign in, build a wheel, upload codes, preview, publish."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import requests
from playwright.sync_api import expect
from sqlalchemy import select

from campaigns.catalog.models import Campaign
from extensions import db
from tests.console.conftest import PASSWORD

pytestmark = pytest.mark.browser


@pytest.fixture
def desktop(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def local(at: datetime) -> str:
    return at.astimezone(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m-%dT%H:%M")


def test_marketer_builds_and_publishes_a_lucky_wheel(live_server, desktop, marketer, tmp_path, artifacts):
    page, url = desktop, live_server.url
    page.goto(f"{url}/console/")
    page.fill("input[name=email]", marketer.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{url}/console/")

    page.click("text=New campaign")
    now = datetime.now(ZoneInfo("UTC"))
    page.fill("input[name=name]", "Winter <wheel>")
    page.fill("input[name=slug]", "winter-wheel")
    page.select_option("select[name=game]", "wheel")
    page.fill("input[name=starts_at]", local(now))
    page.fill("input[name=ends_at]", local(now + timedelta(days=7)))
    rows = [("gold", "Free coffee", "5", "3", "code"), ("silver", "Cookie", "15", "20", "shipping")]
    for index, (tier, name, weight, stock, coupon) in enumerate(rows, start=1):
        page.fill(f"input[name=prize-{index}-tier]", tier)
        page.fill(f"input[name=prize-{index}-name]", name)
        page.fill(f"input[name=prize-{index}-weight]", weight)
        page.fill(f"input[name=prize-{index}-stock]", stock)
        page.select_option(f"select[name=prize-{index}-coupon]", coupon)
    page.fill("input[name=weekday_plays]", "100")
    # The live preview follows the form: three tiers, gold at 5 / (50 + 5 + 15).
    expect(page.locator("#preview-table tbody tr")).to_have_count(3)
    expect(page.locator("#preview-table tbody")).to_contain_text("7.14%")
    expect(page.locator("#game-preview span")).to_have_count(3)
    page.screenshot(path=str(artifacts / "console-editor.png"), full_page=True)
    with page.expect_navigation():
        page.locator("#save").click()
    expect(page).to_have_url(f"{url}/console/campaigns/winter-wheel")
    assert page.locator("#status").inner_text() == "draft"
    # No codes uploaded yet: the platform would make them at publish, so nothing stops it.
    expect(page.locator("#problems")).to_have_count(0)
    assert requests.get(f"{url}/c/winter-wheel/", allow_redirects=False, timeout=10).status_code == 404

    page.click("text=Coupon codes")
    csv_file = tmp_path / "codes.csv"
    csv_file.write_text("code\nWINTER0001\nWINTER0002\nWINTER0003\n", encoding="utf-8")
    page.set_input_files("input[name=file]", str(csv_file))
    page.click("button:has-text('Upload')")
    expect(page.locator("#report")).to_contain_text("3 codes imported")
    expect(page.locator("[data-tier-count=gold]")).to_have_text("3")

    page.goto(f"{url}/console/campaigns/winter-wheel/preview?weekday_plays=100&weekend_plays=100")
    assert page.locator("#preview-table tr[data-tier=gold] td").nth(1).inner_text() == "7.14%"

    page.goto(f"{url}/console/campaigns/winter-wheel")
    page.click("#publish")
    expect(page.locator("#status")).to_have_text("live")
    page.screenshot(path=str(artifacts / "console-live.png"), full_page=True)
    db.session.expire_all()
    assert db.session.scalar(select(Campaign.status).where(Campaign.slug == "winter-wheel")) == "live"
    assert requests.get(f"{url}/c/winter-wheel/", allow_redirects=False, timeout=10).status_code in (200, 302)
    rules = requests.get(f"{url}/c/winter-wheel/rules", timeout=10)
    assert rules.status_code == 200 and "Free coffee" in rules.text and "Winter &lt;wheel&gt;" in rules.text
