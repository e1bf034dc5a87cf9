"""The editor's upload buttons in Chromium: a PNG chosen for the background and a prize is stored and saved."""

from __future__ import annotations

import re
import struct
import zlib
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from campaigns.catalog.models import Campaign
from extensions import db
from tests.console.conftest import PASSWORD

pytestmark = pytest.mark.browser


def png(width: int = 4, height: int = 4) -> bytes:
    """A real RGB PNG of one colour."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + b"\xc4\x16\x1c" * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def local(at: datetime) -> str:
    return at.astimezone(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m-%dT%H:%M")


def test_uploaded_images_fill_their_fields_show_a_preview_and_are_saved(app, live_server, browser, marketer, tmp_path):
    media = tmp_path / "media"
    app.config["MEDIA_DIR"] = str(media)
    image = tmp_path / "prize.png"
    image.write_bytes(png())
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    page = context.new_page()
    page.set_default_timeout(10_000)
    url = live_server.url
    page.goto(f"{url}/console/")
    page.fill("input[name=email]", marketer.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{url}/console/")

    page.goto(f"{url}/console/campaigns/new")
    now = datetime.now(ZoneInfo("UTC"))
    page.fill("input[name=name]", "Pictures")
    page.fill("input[name=slug]", "pictures")
    page.fill("input[name=starts_at]", local(now + timedelta(days=1)))
    page.fill("input[name=ends_at]", local(now + timedelta(days=7)))
    page.set_input_files("input[aria-label='Upload the background image']", str(image))
    page.locator("tr[data-row='0'] input[type=file]").set_input_files(str(image))

    background = page.locator("input[name=look-background_image]")
    expect(background).to_have_value(re.compile(r"^/console/media/[0-9a-f]{32}\.png$"))
    prize_image = page.locator("input[name=prize-0-image]")
    expect(prize_image).to_have_value(background.input_value())
    thumb = page.locator("tr[data-row='0'] img.thumb")
    expect(thumb).to_be_visible()
    page.wait_for_function("img => img.complete && img.naturalWidth === 4", arg=thumb.element_handle())
    path = background.input_value()
    with page.expect_navigation():
        page.locator("#save").click()
    expect(page).to_have_url(f"{url}/console/campaigns/pictures")
    context.close()

    db.session.expire_all()
    campaign = db.session.scalar(select(Campaign).where(Campaign.slug == "pictures"))
    assert campaign.look["background_image"] == path and campaign.tiers[0].image == path
    assert (media / path.rsplit("/", 1)[1]).read_bytes() == png()
