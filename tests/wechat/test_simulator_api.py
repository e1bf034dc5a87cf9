"""The simulator speaks WeChat's protocol: real paths, fields and error codes, always HTTP 200."""

from __future__ import annotations

from datetime import datetime

import pytest
import requests
from wechatpy import WeChatClient
from wechatpy.exceptions import WeChatClientException, WeChatOAuthException
from wechatpy.oauth import WeChatOAuth

from simulator.api import BEIJING
from simulator.state import DEMO_APP_ID, DEMO_APP_SECRET


def oauth(simulator, scope: str = "snsapi_userinfo") -> WeChatOAuth:
    client = WeChatOAuth(DEMO_APP_ID, DEMO_APP_SECRET, "http://127.0.0.1:1/back", scope=scope, state="s")
    client.API_BASE_URL = simulator.url + "/"
    return client


def code_for(simulator, user: str, scope: str = "snsapi_userinfo") -> str:
    answer = requests.get(
        simulator.url + "/connect/oauth2/authorize",
        allow_redirects=False,
        params={
            "appid": DEMO_APP_ID,
            "redirect_uri": "http://127.0.0.1:1/back",
            "response_type": "code",
            "scope": scope,
            "state": "s",
            "sim_user": user,
        },
    )
    assert answer.status_code == 302 and "state=s" in answer.headers["Location"]
    return answer.headers["Location"].split("code=")[1].split("&")[0]


def test_token_errors_have_wechat_codes_and_http_200(simulator):
    for params, errcode in (
        ({"grant_type": "client_credential", "appid": DEMO_APP_ID, "secret": "wrong"}, 40125),
        ({"grant_type": "password", "appid": DEMO_APP_ID, "secret": DEMO_APP_SECRET}, 40002),
        ({"grant_type": "client_credential", "appid": "nope", "secret": "x"}, 40013),
    ):
        answer = requests.get(simulator.url + "/cgi-bin/token", params=params)
        assert answer.status_code == 200 and answer.json()["errcode"] == errcode
    answer = requests.get(simulator.url + "/cgi-bin/user/info", params={"access_token": "forged", "openid": "o"})
    assert answer.status_code == 200 and answer.json()["errcode"] == 40001


def test_the_oauth_code_is_single_use_and_userinfo_needs_its_scope(simulator):
    client, code = oauth(simulator), code_for(simulator, "lin")
    token = client.fetch_access_token(code)
    assert token["scope"] == "snsapi_userinfo" and token["openid"] == simulator.state.user(DEMO_APP_ID, "lin").openid
    assert client.get_user_info()["nickname"] == "lin"
    refreshed = client.refresh_access_token(token["refresh_token"])
    assert refreshed["openid"] == token["openid"] and refreshed["access_token"] != token["access_token"]
    with pytest.raises(WeChatOAuthException) as reused:
        oauth(simulator).fetch_access_token(code)
    assert reused.value.errcode == 40163
    base = oauth(simulator, "snsapi_base")
    base.fetch_access_token(code_for(simulator, "lin", "snsapi_base"))
    with pytest.raises(WeChatOAuthException) as unauthorized:
        base.get_user_info()
    assert unauthorized.value.errcode == 48001


def test_an_authorize_request_with_a_bad_scope_shows_wechats_error(simulator):
    page = requests.get(
        simulator.url + "/connect/oauth2/authorize",
        params={
            "appid": DEMO_APP_ID,
            "redirect_uri": "http://127.0.0.1:1/",
            "response_type": "code",
            "scope": "snsapi_all",
        },
    )
    assert "10005" in page.text


def test_users_batches_and_datacube(simulator):
    client = WeChatClient(DEMO_APP_ID, DEMO_APP_SECRET, auto_retry=False)
    client.API_BASE_URL = simulator.url + "/cgi-bin/"
    client.fetch_access_token = lambda: client._fetch_access_token(
        simulator.url + "/cgi-bin/token",
        {"grant_type": "client_credential", "appid": DEMO_APP_ID, "secret": DEMO_APP_SECRET},
    )
    fan = simulator.state.set_following(DEMO_APP_ID, "fan", True, scene="poster")
    other = simulator.state.user(DEMO_APP_ID, "other")
    infos = client.user.get_batch([fan.openid, other.openid])
    assert [(i["openid"], i["subscribe"]) for i in infos] == [(fan.openid, 1), (other.openid, 0)]
    assert infos[0]["qr_scene_str"] == "poster"
    with pytest.raises(WeChatClientException) as unknown:
        client.user.get("o-nobody")
    assert unknown.value.errcode == 40003
    today = datetime.fromtimestamp(simulator.state.clock(), BEIJING).date().isoformat()
    summary = client.post(simulator.url + "/datacube/getusersummary", data={"begin_date": today, "end_date": today})
    assert summary["list"] == [{"ref_date": today, "user_source": 0, "new_user": 1, "cancel_user": 0}]
    cumulate = client.post(simulator.url + "/datacube/getusercumulate", data={"begin_date": today, "end_date": today})
    assert cumulate["list"] == [{"ref_date": today, "cumulate_user": 1}]
    ranged = requests.post(
        simulator.url + "/datacube/getusersummary",
        params={"access_token": client.access_token},
        json={"begin_date": "2026-01-01", "end_date": "2026-02-01"},
    ).json()
    assert ranged["errcode"] == 61501


def test_card_get_and_batchget_know_only_the_callers_cards(simulator):
    client = WeChatClient(DEMO_APP_ID, DEMO_APP_SECRET, auto_retry=False)
    client.card.API_BASE_URL = simulator.url + "/"
    client.fetch_access_token = lambda: client._fetch_access_token(
        simulator.url + "/cgi-bin/token",
        {"grant_type": "client_credential", "appid": DEMO_APP_ID, "secret": DEMO_APP_SECRET},
    )
    card_id = client.card.create(
        {"card": {"card_type": "CASH", "cash": {"base_info": {"title": "¥10 off", "sku": {"quantity": 5}}}}}
    )

    card = client.card.get(card_id)

    assert card["card_type"] == "CASH"
    assert card["cash"]["base_info"]["id"] == card_id and card["cash"]["base_info"]["title"] == "¥10 off"
    assert card["cash"]["base_info"]["sku"]["quantity"] == 5
    with pytest.raises(WeChatClientException) as unknown:
        client.card.get("pNoSuchCard")
    assert (unknown.value.errcode, unknown.value.errmsg) == (40073, "invalid card id")
    listed = client.card.batch_get(offset=0, count=50)
    assert (listed["card_id_list"], listed["total_num"]) == ([card_id], 1)
    too_many = requests.post(
        simulator.url + "/card/batchget", params={"access_token": client.access_token}, json={"offset": 0, "count": 51}
    ).json()
    assert too_many["errcode"] == 40097
