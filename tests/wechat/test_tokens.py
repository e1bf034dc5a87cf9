"""The shared access token: base URLs, one fetch for many clients, one refresh on expiry, bounded retries."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest
from wechatpy.exceptions import APILimitedException, WeChatClientException

from campaigns.errors import Busy
from campaigns.wechat.accounts import Credentials
from campaigns.wechat.client import Bases, CampaignClient, translate
from campaigns.wechat.jssdk import signature, wx_config
from tests.conftest import ROOT
from tests.factories import NOW, OfficialAccountFactory

APP_ID, SECRET = "wx00000000000000aa", "app-secret"


@pytest.fixture
def client(services, simulator):
    def make(**options) -> CampaignClient:
        return CampaignClient(
            Credentials(APP_ID, SECRET, "", ""),
            services.redis,
            Bases(simulator.url, simulator.url, simulator.url),
            **options,
        )

    simulator.state.register(APP_ID, secret=SECRET)
    return make


def test_every_url_follows_the_configured_bases(client, simulator):
    api = client()
    openid = simulator.state.set_following(APP_ID, "u", True).openid
    assert api.user.get(openid)["subscribe"] == 1
    # datacube has its own hard-coded base in wechatpy; it must be rebased too.
    assert api.datacube.get_user_summary("2026-11-20", "2026-11-23")[0]["new_user"] == 0
    assert simulator.state.token_requests == 1
    ticket = api.qrcode.create({"action_name": "QR_LIMIT_STR_SCENE", "action_info": {"scene": {"scene_str": "s"}}})[
        "ticket"
    ]
    assert api.qrcode.get_url(ticket).startswith(simulator.url + "/cgi-bin/showqrcode?ticket=")
    assert api.qrcode.show(ticket).content.startswith(b"\x89PNG")
    real = Bases()
    assert real.rebase("https://api.weixin.qq.com/cgi-bin/token") == "https://api.weixin.qq.com/cgi-bin/token"
    assert (
        Bases("http://sim").rebase("https://api.weixin.qq.com/datacube/getusersummary")
        == "http://sim/datacube/getusersummary"
    )


def test_clients_in_one_process_share_one_token(client, simulator):
    openid = simulator.state.user(APP_ID, "u").openid
    for _ in range(3):
        client().user.get(openid)
    assert simulator.state.token_requests == 1


def test_an_expired_token_is_refreshed_once_and_the_call_succeeds(client, simulator):
    api, openid = client(), simulator.state.user(APP_ID, "u").openid
    api.user.get(openid)
    simulator.state.expire_token(APP_ID)
    assert api.user.get(openid)["openid"] == openid
    assert simulator.state.token_requests == 2


def test_a_token_error_that_persists_is_retried_once_not_forever(client, simulator):
    api, openid = client(), simulator.state.user(APP_ID, "u").openid
    api.user.get(openid)
    calls = simulator.state.api_calls
    simulator.state.misbehave.rate_errcode, simulator.state.misbehave.rate_limit = 40001, 50
    with pytest.raises(WeChatClientException) as failed:
        api.user.get(openid)
    assert failed.value.errcode == 40001
    assert simulator.state.api_calls - calls <= 3  # the call, one token fetch, no more


@pytest.mark.parametrize("errcode, kind", [(45009, APILimitedException), (45011, WeChatClientException)])
def test_rate_limits_become_busy(client, simulator, errcode, kind):
    api, openid = client(), simulator.state.user(APP_ID, "u").openid
    api.user.get(openid)
    simulator.state.misbehave.rate_errcode, simulator.state.misbehave.rate_limit = errcode, 1
    with pytest.raises(kind) as limited:
        api.user.get(openid)
    assert isinstance(translate(limited.value), Busy)


def test_a_slow_wechat_times_out_as_busy(client, simulator):
    api = client(timeout=0.3)
    simulator.state.misbehave.slow_ms = 800
    started = time.monotonic()
    with pytest.raises(Exception) as slow:
        api.user.get("o")
    assert isinstance(translate(slow.value), Busy) and time.monotonic() - started < 2


def test_token_expiry_mid_traffic_across_processes_means_one_refresh_and_no_failure(client, simulator, redis_server):
    openid = simulator.state.user(APP_ID, "u").openid
    simulator.state.misbehave.expire_at_call = 45  # of 3 × 30 calls, mid-traffic
    start_at = str(time.time() + 2.0)
    workers = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tests.wechat.token_traffic",
                redis_server.url,
                simulator.url,
                APP_ID,
                SECRET,
                openid,
                "30",
                start_at,
            ],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(3)
    ]
    outputs = [worker.communicate(timeout=60)[0].strip() for worker in workers]
    assert outputs == ["ok 30"] * 3
    assert simulator.state.misbehave.expire_at_call == 0  # the expiry did happen mid-traffic
    assert simulator.state.token_requests == 2


def test_the_js_sdk_signature_matches_the_official_example():
    ticket = "sM4AOVdWfPE4DxkXGEs8VMCPGGVi4C3VM0P37wVUCFvkVAy_90u5h9nbSlYy3-Sl-HhTdfl2fzFy1AOcHKP7qg"
    assert (
        signature(ticket, "Wm3WZYTPz0wzccnW", 1414587457, "http://mp.weixin.qq.com?params=value")
        == "0f9de62fce790f9a083d5c99e95740ceb90c27ed"
    )


def test_wx_config_is_signed_with_the_shared_ticket(services, sim_live_server, simulator):
    account = OfficialAccountFactory()
    url = sim_live_server.url + "/c/x/#top"
    first = wx_config(services, account, url, NOW)
    second = wx_config(services, account, url, NOW)
    ticket = simulator.state.ticket(account.app_id, "jsapi").value
    assert first["signature"] == signature(ticket, first["nonceStr"], first["timestamp"], sim_live_server.url + "/c/x/")
    assert first["appId"] == account.app_id and second["timestamp"] == int(NOW.timestamp())
    assert simulator.state.token_requests == 1
