"""The account answers its followers: pushes from the simulator over real HTTP, in all three message modes,
get WeChat's passive reply (decrypted and its signature checked by the simulator when sealed)."""

from __future__ import annotations

from datetime import timedelta

import pytest
import requests

from campaigns.keys import CampaignKeys
from campaigns.wechat import replies
from extensions import db
from tests.factories import NOW, CampaignFactory, ChannelFactory, OfficialAccountFactory, PrizeTierFactory
from tests.wechat.pushes import AES_KEY, TOKEN

pytestmark = pytest.mark.clock

REPLIES = {
    "welcome": {"type": "text", "content": "欢迎关注茶饮品牌！回复「抽奖」参加活动。"},
    "default": {"type": "text", "content": "收到，稍后回复您。"},
    "keywords": [
        {"keyword": "1", "match": "exact", "reply": {"type": "text", "content": "门店地址：人民路 1 号"}},
        {"keyword": "抽奖", "match": "contains", "reply": {"type": "campaigns", "campaigns": ["spring"]}},
    ],
    "clicks": [{"key": "PLAY", "reply": {"type": "campaigns", "campaigns": []}}],
}


@pytest.fixture(params=["plaintext", "compatible", "aes"])
def mode(request):
    return request.param


def save_replies(services, account, doc) -> None:
    replies.save(db.session, None, account, doc, NOW)
    db.session.commit()
    services.replies.forget(account.slug)


@pytest.fixture
def account(services, sim_live_server, simulator, clock, mode):
    """A tea brand with a live, a scheduled and an ended campaign, each with a channel QR, in ``mode``."""
    simulator.state.clock = lambda: clock.now().timestamp()  # WeChat signs with the same time as the app reads
    account = OfficialAccountFactory(slug="tea-brand", **({"aes_key_sealed": ""} if mode == "plaintext" else {}))
    spring = CampaignFactory(
        account=account, slug="spring", status="live", look={"title": "春日刮刮卡", "background_image": "/media/c.png"}
    )
    PrizeTierFactory(campaign=spring, tier="gold", name="茶礼盒")
    PrizeTierFactory(campaign=spring, tier="none", name="谢谢参与", is_fallback=True)
    ChannelFactory(campaign=spring, name="table card", scene="tea:table")
    summer = CampaignFactory(
        account=account, slug="summer", status="scheduled", starts_at=NOW + timedelta(days=2), look={"title": "夏日"}
    )
    ChannelFactory(campaign=summer, name="poster", scene="summer:poster")
    winter = CampaignFactory(
        account=account, slug="winter", status="ended", starts_at=NOW - timedelta(days=20), ends_at=NOW - timedelta(2)
    )
    ChannelFactory(campaign=winter, name="flyer", scene="winter:flyer")
    db.session.commit()
    save_replies(services, account, REPLIES)
    simulator.state.register(
        account.app_id,
        secret="app-secret",
        token=TOKEN,
        aes_key="" if mode == "plaintext" else AES_KEY,
        slug=account.slug,
        mode=mode,
    )
    return account


def sim(simulator, path: str, account, **body) -> dict:
    record = requests.post(simulator.url + path, json={"app_id": account.app_id, **body}, timeout=10).json()
    assert record["status"] == "delivered", record
    return record


def scan(simulator, account, user: str, scene: str = "", event: str = "subscribe", **body) -> dict:
    return sim(simulator, "/sim/push", account, user=user, event=event, scene=scene, **body)


def say(simulator, account, user: str, content: str, **body) -> dict:
    return sim(simulator, "/sim/message", account, user=user, content=content, **body)


def test_a_channel_qr_answers_with_the_campaign_card_carrying_the_channel(sim_live_server, simulator, account, mode):
    followed = scan(simulator, account, "amy", "tea:table")
    assert followed["mode"] == mode and followed["reply"]["type"] == "news"
    [article] = followed["reply"]["articles"]
    assert article["Title"] == "春日刮刮卡" and "茶礼盒" in article["Description"]
    assert article["PicUrl"] == sim_live_server.url + "/media/c.png"
    assert article["Url"] == sim_live_server.url + "/c/spring/?ch=tea%3Atable"
    scanned = scan(simulator, account, "amy", "tea:table", event="SCAN")
    assert scanned["reply"]["articles"] == [article]


def test_a_scheduled_campaign_says_when_it_starts_and_an_ended_one_links_its_fairness_page(
    sim_live_server, simulator, account
):
    soon = scan(simulator, account, "ben", "summer:poster")["reply"]
    assert soon["type"] == "text" and "「夏日」将于 11月25日 18:00 开始" in soon["content"]
    over = scan(simulator, account, "ben", "winter:flyer", event="SCAN")["reply"]
    assert over["type"] == "text" and f'href="{sim_live_server.url}/c/winter/verify"' in over["content"]


def test_a_follow_without_a_campaign_scene_gets_the_welcome_message(services, simulator, account):
    assert scan(simulator, account, "cat")["reply"] == {"type": "text", "content": REPLIES["welcome"]["content"]}
    assert scan(simulator, account, "dan", "not-a-scene")["reply"]["content"] == REPLIES["welcome"]["content"]
    assert scan(simulator, account, "dan", "not-a-scene", event="SCAN").get("reply") is None  # success
    save_replies(services, account, {**REPLIES, "welcome": {"type": "campaigns"}})
    [article] = scan(simulator, account, "eve")["reply"]["articles"]  # the live campaigns only
    assert article["Url"].endswith("/c/spring/")


def test_keywords_match_exactly_or_by_containing_else_the_default_reply(services, simulator, account):
    assert say(simulator, account, "fay", "1")["reply"]["content"] == "门店地址：人民路 1 号"
    assert say(simulator, account, "fay", "1号店")["reply"]["content"] == REPLIES["default"]["content"]
    [article] = say(simulator, account, "fay", "我要抽奖！")["reply"]["articles"]
    assert article["Title"] == "春日刮刮卡" and article["Url"].endswith("/c/spring/")
    save_replies(services, account, {**REPLIES, "default": None})
    assert say(simulator, account, "fay", "你好")["reply"] is None  # success: WeChat shows nothing


def test_a_menu_click_gets_the_reply_bound_to_its_key(simulator, account):
    clicked = sim(simulator, "/sim/tap", account, user="gus", type="click", value="PLAY")
    [article] = clicked["reply"]["articles"]
    assert article["Url"].endswith("/c/spring/?ch=menu")
    assert sim(simulator, "/sim/tap", account, user="gus", type="click", value="OTHER")["reply"] is None


def test_retries_get_the_same_reply_and_the_follow_is_recorded_once(services, simulator, account, clock):
    followed = scan(simulator, account, "hal", "tea:table", repeat=3)
    assert len(followed["answers"]) == 3 and all(a["reply"] == followed["reply"] for a in followed["answers"])
    spring = services.replies.get(db.session, account.slug).cards["spring"]
    entries = services.redis.xrange(CampaignKeys(account.campaigns[0].id).events)
    assert spring.slug == "spring" and [fields["type"] for _, fields in entries] == ["follow"]
    said = say(simulator, account, "hal", "1", repeat=3)
    assert [a["reply"]["content"] for a in said["answers"]] == ["门店地址：人民路 1 号"] * 3


def test_the_reply_comes_from_the_book_while_the_database_is_away(services, simulator, account, monkeypatch):
    scan(simulator, account, "ivy", "tea:table")  # the book is read
    monkeypatch.setattr(db.session, "scalar", lambda *a, **k: pytest.fail("the reply read SQL"))
    assert say(simulator, account, "ivy", "1")["reply"]["content"] == "门店地址：人民路 1 号"
