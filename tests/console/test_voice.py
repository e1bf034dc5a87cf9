"""The console's menu and replies page: the form becomes WeChat's menu JSON and the replies document,
problems are shown next to their fields with nothing saved, and the menu is published through the simulator."""

from __future__ import annotations

from campaigns.wechat import menu, replies
from extensions import db
from tests.factories import CampaignFactory

FORM = {
    "b0-name": "抽奖",
    "b0-type": "click",
    "b0-value": "PLAY",
    "b1-name": "更多",
    "b1-type": "group",
    "b1-0-name": "官网",
    "b1-0-type": "view",
    "b1-0-value": "https://brand.example/",
}


def test_the_page_shows_the_editor_the_preview_and_the_replies(as_marketer, account):
    page = as_marketer.get("/console/accounts/brand/menu")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'id="menu-form"' in html and 'id="menu-preview"' in html and 'id="replies-form"' in html
    assert as_marketer.get("/console/messages").headers["Location"].endswith("/console/accounts/brand/menu")


def test_the_menu_form_is_saved_as_wechats_json_and_published(as_marketer, account, wechat):
    saved = as_marketer.post("/console/accounts/brand/menu", data=FORM)
    assert saved.status_code == 302
    expected = {
        "button": [
            {"type": "click", "name": "抽奖", "key": "PLAY"},
            {"name": "更多", "sub_button": [{"type": "view", "name": "官网", "url": "https://brand.example/"}]},
        ]
    }
    assert menu.document(db.session, account)["menu"] == expected
    assert "≡ 更多" in as_marketer.get("/console/accounts/brand/menu").get_data(as_text=True)  # the preview
    assert as_marketer.post("/console/accounts/brand/menu/publish").status_code == 302
    assert wechat.state.menus[account.app_id] == expected


def test_a_menu_outside_the_limits_shows_every_problem_and_saves_nothing(as_marketer, account, services):
    services.settings["APP_ENV"] = "production"
    bad = {**FORM, "b0-name": "一二三四五六七八九十一二三四", "b1-0-value": "http://brand.example/"}
    answer = as_marketer.post("/console/accounts/brand/menu", data=bad)
    html = answer.get_data(as_text=True)
    assert answer.status_code == 400
    assert 'data-field="button[0].name"' in html and 'data-field="button[1].sub_button[0].url"' in html
    assert menu.document(db.session, account)["menu"] == {"button": []}


def test_the_replies_form_is_saved_and_an_empty_keyword_reply_refused(as_marketer, account):
    CampaignFactory(account=account, slug="spring", status="live")
    db.session.commit()
    form = {
        "welcome-kind": "text",
        "welcome-text": "欢迎！",
        "default-kind": "text",
        "default-text": "",
        "keyword_rows": "2",
        "kw0-keyword": "抽奖",
        "kw0-match": "contains",
        "kw0-kind": "campaigns",
        "kw0-campaign": "spring",
        "click_rows": "1",
    }
    assert as_marketer.post("/console/accounts/brand/replies", data=form).status_code == 302
    assert replies.document(db.session, account) == {
        "welcome": {"type": "text", "content": "欢迎！"},
        "default": None,
        "keywords": [{"keyword": "抽奖", "match": "contains", "reply": {"type": "campaigns", "campaigns": ["spring"]}}],
        "clicks": [],
    }
    empty = {**form, "kw1-keyword": "1", "kw1-kind": "text", "kw1-text": " "}
    answer = as_marketer.post("/console/accounts/brand/replies", data=empty)
    assert answer.status_code == 400 and 'data-field="keywords[1].reply.content"' in answer.get_data(as_text=True)
    assert len(replies.document(db.session, account)["keywords"]) == 1


def test_operators_see_the_page_but_cannot_change_it(as_operator, account):
    assert as_operator.get("/console/accounts/brand/menu").status_code == 200
    assert as_operator.post("/console/accounts/brand/menu", data=FORM).status_code == 403
