"""The state screens in Chromium on a phone with WeChat's user agent."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from campaigns.clock import SystemClock
from extensions import db
from tests.games.helpers import make_campaign, open_game

pytestmark = pytest.mark.browser


def test_a_scheduled_campaign_shows_a_countdown_to_the_start(app, live_server, phone, artifacts):
    campaign = make_campaign(starts_at=SystemClock().now() + timedelta(days=1, hours=2), status="scheduled")
    db.session.commit()

    open_game(phone, app, live_server, campaign)

    phone.wait_for_selector("#game[data-state=scheduled]")
    assert phone.locator("#screen-title").inner_text() == "活动尚未开始"
    first = phone.locator("#screen-text").inner_text()
    assert re.fullmatch(r"距离开始还有 1d 0[12]:\d\d:\d\d", first)
    phone.wait_for_function("t => document.getElementById('screen-text').textContent !== t", arg=first, timeout=2500)
    assert phone.locator("#stage").is_hidden()
    phone.screenshot(path=str(artifacts / "games-not-started.png"))


@pytest.mark.parametrize(
    ("status", "title"), [("ended", "活动已结束，感谢参与！"), ("paused", "活动暂停中，请稍后再来。")]
)
def test_ended_and_paused_campaigns_show_their_screen_and_no_game(app, live_server, phone, artifacts, status, title):
    campaign = make_campaign(status=status)
    db.session.commit()

    open_game(phone, app, live_server, campaign)

    phone.wait_for_selector(f"#game[data-state={status}]")
    assert phone.locator("#screen-title").inner_text() == title
    assert phone.locator("#stage").is_hidden()
    assert phone.locator("#announce").get_attribute("aria-live") == "polite"
    phone.screenshot(path=str(artifacts / f"games-{status}.png"))
