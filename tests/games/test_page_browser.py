"""The foundation's browser path: a logged-in follower opens a published game in Debian's Chromium."""

import pytest

from tests.games.helpers import open_game, published

pytestmark = pytest.mark.browser


def test_the_game_page_opens_in_chromium_on_a_phone(app, services, live_server, phone, artifacts):
    campaign = published(services, game="scratch", name="手机上的活动", look={"title": "手机上的活动"})

    open_game(phone, app, live_server, campaign)

    assert "手机上的活动" in phone.locator("h1").first.inner_text()
    phone.screenshot(path=str(artifacts / "foundation-game-page.png"))
