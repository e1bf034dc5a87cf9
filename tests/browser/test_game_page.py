"""The game page in Debian's Chromium, on a phone profile with WeChat's user agent."""
import pytest

from extensions import db
from tests.factories import CampaignFactory

pytestmark = pytest.mark.browser


def test_the_game_page_opens_in_chromium_on_a_phone(live_server, phone, artifacts):
    CampaignFactory(slug="phone", name="手机上的活动", status="live", game="scratch")
    db.session.commit()

    phone.goto(f"{live_server.url}/c/phone/")

    assert phone.locator("h1").inner_text() == "手机上的活动"
    phone.screenshot(path=str(artifacts / "foundation-game-page.png"))
