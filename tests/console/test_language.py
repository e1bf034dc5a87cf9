"""The console speaks Simplified Chinese first and English to browsers that prefer it; the API stays English."""

from __future__ import annotations

import pytest
from flask_babel import refresh
from sqlalchemy import delete

from campaigns.coupons.models import CouponCode
from extensions import db
from tests.console.conftest import campaign_doc, sign_in
from tests.console.test_api import token_for
from tests.console.test_lifecycle import make
from tests.factories import NOW, CouponCodeFactory

BASE = "/console/campaigns/spring-wheel"
ZH = {"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.5"}
EN = {"Accept-Language": "en-US,en;q=0.9"}


def ask(client, method: str, path: str, headers: dict | None = None):
    """One request in the browser's language (the tests share one app context, where Flask-Babel caches a locale)."""
    refresh()
    return getattr(client, method)(path, headers=headers or {})


@pytest.fixture
def short_of_codes(as_marketer, frozen):
    """A draft whose silver prize needs 30 codes and has one uploaded."""
    doc = campaign_doc(starts_at=NOW.isoformat())
    doc["prizes"][1].update(coupon="code")
    campaign = make(as_marketer, starts_at=doc["starts_at"], prizes=doc["prizes"])
    CouponCodeFactory(tier_id=campaign.tiers[1].id, code="ONLYCODE01")
    db.session.commit()
    return campaign


def test_the_campaign_page_is_chinese_for_a_chinese_browser_and_english_for_an_english_one(as_marketer, short_of_codes):
    chinese = ask(as_marketer, "get", BASE, ZH).get_data(as_text=True)
    english = ask(as_marketer, "get", BASE, EN).get_data(as_text=True)

    assert '<html lang="zh-CN">' in chinese and '<html lang="en">' in english
    assert ">发布</button>" in chinese and ">Publish</button>" in english
    assert ">草稿</span>" in chinese and ">draft</span>" in english
    assert "活动管理后台" in chinese and "Campaign console" in english
    assert "请上传更多券码：奖品有 30 份，但只有 1 个券码。" in chinese
    assert "Upload more codes: 30 prizes but only 1 codes." in english
    assert "Publish" not in chinese and "发布" not in english


def test_without_a_preference_the_console_is_chinese(app, marketer, short_of_codes):
    bare = sign_in(app.test_client(), marketer)
    assert ">发布</button>" in ask(bare, "get", BASE).get_data(as_text=True)


def test_a_refused_publish_and_the_flash_after_a_pause_are_translated(as_marketer, short_of_codes):
    refused = ask(as_marketer, "post", f"{BASE}/publish", ZH).get_data(as_text=True)
    assert "此活动暂时无法发布（1 个问题）。" in refused
    assert "请上传更多券码：奖品有 30 份，但只有 1 个券码。" in refused

    # With no uploaded codes at all, the platform makes them at publish.
    db.session.execute(delete(CouponCode))
    db.session.commit()
    assert ask(as_marketer, "post", f"{BASE}/publish", ZH).status_code == 302
    ask(as_marketer, "post", f"{BASE}/pause", ZH)
    assert "操作完成：活动当前为已暂停。" in ask(as_marketer, "get", BASE, ZH).get_data(as_text=True)
    refused_again = ask(as_marketer, "post", f"{BASE}/publish", ZH)
    assert refused_again.status_code == 409
    page = refused_again.get_data(as_text=True)
    assert "处于 paused 状态的活动不能执行 publish；只有在 draft 状态下才可以。" in page


def test_the_api_keeps_english_messages_for_scripts(client, marketer, short_of_codes):
    headers = {**token_for(marketer), **ZH}

    answer = ask(client, "post", "/api/v1/campaigns/spring-wheel/publish", headers).get_json()

    assert answer["error"]["message"] == "This campaign cannot be published yet (1 problems)."
    assert answer["error"]["fields"] == {"prizes[1].stock": "Upload more codes: 30 prizes but only 1 codes."}


def test_every_console_page_renders_in_chinese(client, admin, short_of_codes):
    sign_in(client, admin)
    pages = [
        "/console/",
        "/console/?archived=1",
        "/console/campaigns/new",
        BASE,
        f"{BASE}/edit",
        f"{BASE}/codes",
        f"{BASE}/preview",
        "/console/audit",
        "/console/staff",
        "/console/accounts",
        "/console/tokens",
    ]
    for path in pages:
        response = ask(client, "get", path, ZH)
        assert response.status_code == 200, path
        assert "审计日志" in response.get_data(as_text=True), path
    refresh()
    client.post("/console/sign-out")
    assert "登录" in ask(client, "get", "/console/sign-in", ZH).get_data(as_text=True)
