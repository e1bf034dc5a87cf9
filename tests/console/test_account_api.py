"""The account's replies and custom menu over the API: true to the OpenAPI document, checked within
WeChat's limits (every problem listed, nothing sent to WeChat), published and imported through the simulator."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from campaigns.staff.models import AuditEntry
from extensions import db
from tests.console.openapi_check import check
from tests.console.test_api import token_for
from tests.factories import CampaignFactory, OfficialAccountFactory

REPLIES = {
    "welcome": {"type": "text", "content": "欢迎关注！"},
    "default": None,
    "keywords": [{"keyword": "抽奖", "match": "contains", "reply": {"type": "campaigns", "campaigns": ["spring"]}}],
    "clicks": [{"key": "PLAY", "reply": {"type": "campaigns", "campaigns": []}}],
}
MENU = {
    "button": [
        {"type": "click", "name": "抽奖", "key": "PLAY"},
        {"name": "更多", "sub_button": [{"type": "view", "name": "官网", "url": "https://brand.example/"}]},
    ]
}


@pytest.fixture
def token(marketer):
    return token_for(marketer)


@pytest.fixture
def spring(account):
    campaign = CampaignFactory(account=account, slug="spring", status="live")
    db.session.commit()
    return campaign


def actions() -> list[str]:
    return [e.action for e in db.session.scalars(select(AuditEntry).order_by(AuditEntry.id))]


def test_replies_round_trip_and_are_audited(client, spec, token, spring):
    empty = check(spec, client.get("/api/v1/accounts/brand/replies", headers=token), "/accounts/{slug}/replies", "get")
    assert empty == {"welcome": None, "default": None, "keywords": [], "clicks": []}
    put = client.put("/api/v1/accounts/brand/replies", json=REPLIES, headers=token)
    assert check(spec, put, "/accounts/{slug}/replies", "put") == REPLIES
    assert client.get("/api/v1/accounts/brand/replies", headers=token).get_json() == REPLIES
    assert actions() == ["replies.update"]


def test_a_bad_reply_is_refused_with_every_problem_and_nothing_changes(client, spec, token, spring):
    client.put("/api/v1/accounts/brand/replies", json=REPLIES, headers=token)
    bad = {
        "welcome": {"type": "text", "content": "  "},
        "default": {"type": "text", "content": "长" * 700},  # 2,100 bytes
        "keywords": [{"keyword": "x", "match": "fuzzy", "reply": {"type": "campaigns", "campaigns": ["nope"]}}],
    }
    answer = client.put("/api/v1/accounts/brand/replies", json=bad, headers=token)
    body = check(spec, answer, "/accounts/{slug}/replies", "put")
    assert answer.status_code == 400
    assert set(body["error"]["fields"]) == {"welcome.content", "default.content", "keywords[0].match"}
    assert client.get("/api/v1/accounts/brand/replies", headers=token).get_json() == REPLIES


def test_a_menu_outside_wechats_limits_is_refused_listing_every_problem_and_not_sent(
    client, spec, token, wechat, services
):
    services.settings["APP_ENV"] = "production"
    too_much = {
        "button": [
            {"type": "click", "name": "一二三四五六七八九十一二三四", "key": "A"},  # 42 bytes
            {"type": "view", "name": "官网", "url": "http://brand.example/"},
            {"type": "click", "name": "C", "key": "C"},
            {"type": "click", "name": "D", "key": "D"},
        ]
    }
    answer = client.put("/api/v1/accounts/brand/menu", json=too_much, headers=token)
    body = check(spec, answer, "/accounts/{slug}/menu", "put")
    assert answer.status_code == 400
    assert set(body["error"]["fields"]) == {"button", "button[0].name", "button[1].url"}
    publish = client.post("/api/v1/accounts/brand/menu/publish", headers=token)
    assert check(spec, publish, "/accounts/{slug}/menu/publish", "post") and publish.status_code == 400
    assert wechat.state.menus == {} and actions() == []


def test_a_menu_is_saved_published_through_wechat_and_imported_back(client, spec, token, wechat, account):
    saved = client.put("/api/v1/accounts/brand/menu", json=MENU, headers=token)
    assert check(spec, saved, "/accounts/{slug}/menu", "put") == MENU
    assert wechat.state.menus == {}  # saving is not publishing
    published = check(
        spec, client.post("/api/v1/accounts/brand/menu/publish", headers=token), "/accounts/{slug}/menu/publish", "post"
    )
    assert published["menu"] == MENU and published["published_at"]
    assert wechat.state.menus[account.app_id] == MENU
    wechat.state.menus[account.app_id] = {"button": [{"type": "click", "name": "签到", "key": "SIGN"}]}
    imported = client.post("/api/v1/accounts/brand/menu/import", headers=token)
    assert check(spec, imported, "/accounts/{slug}/menu/import", "post") == wechat.state.menus[account.app_id]
    got = client.get("/api/v1/accounts/brand/menu", headers=token)
    assert check(spec, got, "/accounts/{slug}/menu", "get")["button"][0]["key"] == "SIGN"
    assert actions() == ["menu.update", "menu.publish", "menu.import"]


def test_importing_when_wechat_has_no_menu_gives_an_empty_menu(client, token, wechat):
    assert client.post("/api/v1/accounts/brand/menu/import", headers=token).get_json() == {"button": []}


def test_operators_read_but_do_not_change_and_other_brands_are_out_of_reach(client, operator, marketer, spring):
    reader = token_for(operator)
    assert client.get("/api/v1/accounts/brand/menu", headers=reader).status_code == 200
    assert client.put("/api/v1/accounts/brand/menu", json=MENU, headers=reader).status_code == 403
    OfficialAccountFactory(slug="rival")
    db.session.commit()
    assert client.get("/api/v1/accounts/rival/replies", headers=token_for(marketer)).status_code == 403
    assert client.get("/api/v1/accounts/nobody/replies", headers=token_for(marketer)).status_code == 404


def test_a_campaigns_notices_are_off_until_turned_on_over_the_api(client, spec, token, spring):
    url, template = "/api/v1/campaigns/spring/notices", "/campaigns/{slug}/notices"
    assert check(spec, client.get(url, headers=token), template, "get")["enabled"] is False
    on = {"enabled": True, "winner_template_id": "TPL-WIN", "expiry_template_id": "TPL-EXP", "reminder_days": 2}
    assert check(spec, client.put(url, json=on, headers=token), template, "put") == on
    refused = client.put(url, json={"enabled": "yes"}, headers=token)
    assert refused.status_code == 400 and check(spec, refused, template, "put")["error"]["fields"]["enabled"]
    assert client.get(url, headers=token).get_json() == on and actions() == ["notices.update"]
