"""The loop the account exists for, on a phone in Chromium: a follower scans a channel QR code in the
simulator, follows, taps the card the account answers with, logs in, plays, and the play is the channel's."""

from __future__ import annotations

import pytest

from campaigns import events
from campaigns.keys import CampaignKeys
from campaigns.wechat.qr import channel_qr_url
from extensions import db
from tests.factories import ChannelFactory
from tests.games.helpers import published
from tests.wechat.pushes import AES_KEY, TOKEN

pytestmark = pytest.mark.browser


def test_a_channel_scan_becomes_a_follow_a_visit_and_a_play_of_that_channel(
    services, sim_live_server, simulator, phone, artifacts
):
    campaign = published(services, "wheel", look={"title": "幸运大转盘"})
    channel = ChannelFactory(campaign=campaign, name="桌牌", scene="tea:table")
    account = campaign.account
    simulator.state.register(
        account.app_id, secret="app-secret", token=TOKEN, aes_key=AES_KEY, slug=account.slug, mode="aes"
    )
    channel_qr_url(services, channel)  # the channel's permanent QR code, made with WeChat (the simulator)
    db.session.commit()
    phone.set_default_timeout(15_000)
    phone.goto(f"{simulator.url}/sim/phone?app_id={account.app_id}&user=amy")
    phone.click("button.qr[data-scene='tea:table']")
    card = phone.locator(".news a.article")
    card.wait_for()
    assert "幸运大转盘" in card.inner_text() and phone.locator("header").inner_text().endswith("(已关注)")
    phone.screenshot(path=str(artifacts / "sim-phone-channel-reply.png"), full_page=True)

    card.click()
    phone.wait_for_selector("[data-screen=sim-authorize]")
    phone.fill("#new-user input[name=sim_user]", "amy")
    phone.click("#new-user button[type=submit]")
    phone.wait_for_selector("#spin")
    assert phone.url.endswith(f"/c/{campaign.slug}/?ch=tea%3Atable")
    phone.click("#spin")
    phone.wait_for_selector("#wheel[data-state=landed]")

    openid = simulator.state.user(account.app_id, "amy").openid
    stream = [f for _, f in events.read(services.redis.xrange(CampaignKeys(campaign.id).events), campaign.id)]
    follow = next(f for f in stream if f["type"] == "follow")
    visit = next(f for f in stream if f["type"] == "visit")
    draw = next(f for f in stream if f["type"] == "draw")
    assert (follow["openid"], follow["channel"]) == (openid, "桌牌")
    assert (visit["openid"], visit["ch"]) == (openid, "tea:table")
    assert draw["openid"] == openid and int(draw["ts"]) >= int(visit["ts"])

    # The share card: the campaign's title, its link carrying ch=share and the sharer's pseudonym.
    phone.wait_for_function("() => window.wx.shared.length === 2")
    shared = phone.evaluate("() => window.wx.shared")
    assert [s["api"] for s in shared] == ["updateAppMessageShareData", "updateTimelineShareData"]
    link = f"{sim_live_server.url}/c/{campaign.slug}/?ch=share&from={draw['player']}"
    assert all(s["opts"]["title"] == "幸运大转盘" and s["opts"]["link"] == link for s in shared)
    phone.goto(link)
    phone.wait_for_selector("#spin")
    stream = [f for _, f in services.redis.xrange(CampaignKeys(campaign.id).events) if f.get("type") == "visit"]
    assert (stream[-1]["ch"], stream[-1]["from"]) == ("share", draw["player"])
