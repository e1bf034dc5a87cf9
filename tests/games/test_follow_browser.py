"""Follow gating, with a follower logged in through the WeChat simulator's OAuth."""

from __future__ import annotations

import pytest

from campaigns.wechat.follow import forget_following
from tests.games.helpers import published
from tests.wechat.helpers import login_through_simulator

pytestmark = pytest.mark.browser


def test_a_follower_who_does_not_follow_sees_the_qr_code_and_plays_after_following(
    app, sim_live_server, simulator, services, phone, artifacts
):
    campaign = published(services, "wheel", follow_required=True)

    landed = login_through_simulator(phone, sim_live_server.url, campaign.slug, "alice")

    assert landed.startswith(f"{sim_live_server.url}/c/{campaign.slug}/")
    phone.wait_for_selector("#game[data-state=follow]")
    assert phone.locator("#screen-title").inner_text() == "关注公众号后即可参与"
    phone.wait_for_function("() => document.getElementById('screen-qr').naturalWidth > 0")
    assert phone.locator("#stage").is_hidden()
    phone.screenshot(path=str(artifacts / "games-follow-required.png"))

    user = simulator.state.set_following(campaign.account.app_id, "alice", True)
    forget_following(services.redis, campaign.account.app_id, user.openid)
    phone.click("#screen-action")

    phone.wait_for_selector("#game[data-state=ready]")
    assert phone.locator("#spin").is_enabled()
