"""The simulator's custom menu: menu/create, get and delete with WeChat's errcodes (through wechatpy), and the
follower's phone page, whose menu sends CLICK and VIEW pushes to the app."""

from __future__ import annotations

import pytest
import requests
from wechatpy import WeChatClient
from wechatpy.exceptions import WeChatClientException

from simulator.state import DEMO_APP_ID, DEMO_APP_SECRET

MENU = {
    "button": [
        {"type": "click", "name": "抽奖", "key": "PLAY"},
        {"name": "更多", "sub_button": [{"type": "view", "name": "官网", "url": "https://brand.example/"}]},
    ]
}


@pytest.fixture
def wechat(simulator) -> WeChatClient:
    client = WeChatClient(DEMO_APP_ID, DEMO_APP_SECRET, auto_retry=False)
    client.API_BASE_URL = simulator.url + "/cgi-bin/"
    client.fetch_access_token = lambda: client._fetch_access_token(
        simulator.url + "/cgi-bin/token",
        {"grant_type": "client_credential", "appid": DEMO_APP_ID, "secret": DEMO_APP_SECRET},
    )
    return client


@pytest.mark.parametrize(
    ("menu", "errcode"),
    [
        ({"button": []}, 40016),
        ({"button": [{"type": "click", "name": str(n), "key": "K"} for n in range(4)]}, 40016),
        ({"button": [{"type": "click", "name": "一二三四五六", "key": "K"}]}, 40018),  # 18 bytes
        ({"button": [{"type": "scancode", "name": "扫码", "key": "K"}]}, 40017),
        ({"button": [{"type": "click", "name": "抽奖", "key": ""}]}, 40019),
        ({"button": [{"name": "组", "sub_button": [{"type": "view", "name": "x", "url": "ftp://x"}] * 6}]}, 40023),
        ({"button": [{"name": "组", "sub_button": [{"type": "view", "name": "x", "url": "ftp://x"}]}]}, 40054),
    ],
)
def test_menu_create_refuses_what_wechat_refuses(simulator, wechat, menu, errcode):
    with pytest.raises(WeChatClientException) as refused:
        wechat.menu.create(menu)
    assert refused.value.errcode == errcode and simulator.state.menus == {}


def test_a_menu_is_created_read_and_deleted(simulator, wechat):
    assert wechat.menu.get() is None  # wechatpy's answer to 46003 "menu no exist"
    wechat.menu.create(MENU)
    assert wechat.menu.get() == {"menu": MENU}
    wechat.menu.delete()
    assert wechat.menu.get() is None


def test_the_phone_shows_the_menu_and_a_tap_sends_its_push(runner, sim_live_server, simulator, wechat):
    assert runner.invoke(args=["demo", "seed"]).exit_code == 0  # the demo account answers PLAY
    wechat.menu.create(MENU)
    page = requests.get(simulator.url + "/sim/phone", params={"app_id": DEMO_APP_ID, "user": "amy"}).text
    assert 'data-menu="抽奖"' in page and 'data-menu="官网"' in page
    form = {"app_id": DEMO_APP_ID, "user": "amy", "type": "view", "value": "https://brand.example/"}
    opened = requests.post(simulator.url + "/sim/phone/tap", data=form, allow_redirects=False)
    assert opened.status_code == 302 and opened.headers["Location"] == "https://brand.example/"
    requests.post(simulator.url + "/sim/phone/tap", data={**form, "type": "click", "value": "PLAY"})
    assert [(p["event"], p["status"]) for p in simulator.state.pushes] == [
        ("VIEW", "delivered"),
        ("CLICK", "delivered"),
    ]
    chat = requests.get(simulator.url + "/sim/phone", params={"app_id": DEMO_APP_ID, "user": "amy"}).text
    assert "/c/scratch-demo/?ch=menu" in chat and "/c/wheel-demo/?ch=menu" in chat


def test_the_phone_offers_the_accounts_qr_codes_to_scan(simulator, wechat):
    wechat.qrcode.create({"action_name": "QR_LIMIT_STR_SCENE", "action_info": {"scene": {"scene_str": "tea:table"}}})
    page = requests.get(simulator.url + "/sim/phone", params={"app_id": DEMO_APP_ID, "user": "amy"}).text
    assert 'data-scene="tea:table"' in page
