"""wx.config for the pages (checked by the simulator's JS-SDK stand-in) and channel QR codes."""

from __future__ import annotations

import requests

from campaigns.wechat.qr import channel_qr_url
from extensions import db
from tests.factories import CampaignFactory, ChannelFactory


def test_the_page_config_passes_the_js_sdk_check(sim_live_server, simulator, app):
    campaign = CampaignFactory(status="live", slug="js")
    db.session.commit()
    page = sim_live_server.url + "/c/js/?from=timeline#top"
    config = requests.get(f"{sim_live_server.url}/c/js/wx-config", params={"url": page}).json()
    assert config["appId"] == campaign.account.app_id and "addCard" in config["jsApiList"]
    check = {**config, "url": page}
    assert requests.post(simulator.url + "/sim/jssdk/config", json=check).json()["errMsg"] == "config:ok"
    check["url"] = sim_live_server.url + "/c/other/"
    assert requests.post(simulator.url + "/sim/jssdk/config", json=check).json()["errMsg"] == "config:invalid signature"
    assert "wx.config" in requests.get(simulator.url + "/sim/jweixin.js").text


def test_the_config_is_only_for_pages_of_this_site(sim_live_server):
    CampaignFactory(status="live", slug="js2")
    db.session.commit()
    answer = requests.get(
        f"{sim_live_server.url}/c/js2/wx-config",
        params={"url": "https://evil.example/"},
        headers={"Accept": "application/json"},
    )
    assert answer.status_code == 400 and answer.json()["error"]["code"] == "invalid_input"


def test_a_channel_gets_one_permanent_string_scene_qr_code(services, sim_live_server, simulator):
    channel = ChannelFactory(name="poster", scene="autumn:poster")
    url = channel_qr_url(services, channel)
    db.session.commit()
    assert url.startswith(simulator.url + "/cgi-bin/showqrcode?ticket=") and channel.qr_ticket
    calls = simulator.state.api_calls
    assert channel_qr_url(services, channel) == url and simulator.state.api_calls == calls
    [qr] = simulator.state.qrcodes.values()
    assert qr["scene"] == "autumn:poster" and qr["expire_seconds"] is None
    assert requests.get(url).content.startswith(b"\x89PNG\r\n\x1a\n")
