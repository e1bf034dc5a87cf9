"""Follow gating reads user/info from the simulator and prompts with the account's QR code."""

from __future__ import annotations

import pytest
import requests

from campaigns.errors import Busy, FollowRequired
from campaigns.wechat.follow import ensure_following, forget_following
from campaigns.wechat.qr import campaign_qr_url
from extensions import db
from tests.factories import CampaignFactory


@pytest.fixture
def account(app):
    campaign = CampaignFactory(status="live")
    db.session.commit()
    return campaign.account


def test_a_follower_passes_and_a_non_follower_gets_the_qr_code(services, sim_live_server, simulator, account):
    fan = simulator.state.set_following(account.app_id, "fan", True, scene="x")
    ensure_following(services, account, fan.openid)
    stranger = simulator.state.user(account.app_id, "stranger")
    with pytest.raises(FollowRequired) as refused:
        ensure_following(services, account, stranger.openid)
    qr_url = refused.value.details["qr_url"]
    assert qr_url.startswith(simulator.url + "/cgi-bin/showqrcode?ticket=")
    image = requests.get(qr_url)
    assert image.headers["Content-Type"] == "image/png" and image.content.startswith(b"\x89PNG\r\n\x1a\n")
    [qr] = simulator.state.qrcodes.values()
    assert qr["scene"] == "follow" and qr["expire_seconds"] is None


def test_the_answer_is_cached_briefly_and_forgotten_on_a_follow(services, sim_live_server, simulator, account):
    user = simulator.state.user(account.app_id, "late")
    with pytest.raises(FollowRequired):
        ensure_following(services, account, user.openid)
    calls = simulator.state.api_calls
    simulator.state.set_following(account.app_id, "late", True)
    with pytest.raises(FollowRequired):
        ensure_following(services, account, user.openid)  # still the cached "no"
    assert simulator.state.api_calls == calls
    forget_following(services.redis, account.app_id, user.openid)
    ensure_following(services, account, user.openid)


def test_wechat_rate_limiting_is_busy_not_a_crash(services, sim_live_server, simulator, account):
    user = simulator.state.user(account.app_id, "someone")
    simulator.state.misbehave.rate_limit = 5
    with pytest.raises(Busy):
        ensure_following(services, account, user.openid)


def test_the_campaign_follow_prompt_carries_the_campaign_scene(services, sim_live_server, simulator, account):
    campaign = account.campaigns[0]
    assert campaign_qr_url(services, campaign).startswith(simulator.url + "/cgi-bin/showqrcode?ticket=")
    [qr] = simulator.state.qrcodes.values()
    assert qr["scene"] == f"campaign:{campaign.slug}"
