"""A marketer sets the account's menu and welcome message in Chromium, in Chinese, and publishes the menu."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.console.conftest import PASSWORD

pytestmark = pytest.mark.browser


def test_marketer_builds_publishes_the_menu_and_sets_the_welcome(
    live_server, browser, account, marketer, wechat, artifacts
):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page, url = context.new_page(), live_server.url
    page.set_default_timeout(10_000)
    page.goto(f"{url}/console/")
    page.fill("input[name=email]", marketer.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.click("text=菜单与自动回复")
    page.fill("input[name=b0-name]", "抽奖")
    page.fill("input[name=b0-value]", "PLAY")
    page.fill("input[name=b1-name]", "更多")
    page.select_option("select[name=b1-type]", "group")
    page.fill("input[name=b1-0-name]", "官网")
    page.select_option("select[name=b1-0-type]", "view")
    page.fill("input[name=b1-0-value]", "https://brand.example/")
    page.click("#save-menu")
    expect(page.locator(".flash")).to_contain_text("菜单已保存")
    expect(page.locator("#menu-preview .phone-button")).to_have_count(2)
    page.click("#publish-menu")
    expect(page.locator(".flash")).to_contain_text("菜单已发布到微信")
    assert [b["name"] for b in wechat.state.menus[account.app_id]["button"]] == ["抽奖", "更多"]
    page.check("input[name=welcome-kind][value=text]")
    page.fill("textarea[name=welcome-text]", "欢迎关注！回复「抽奖」参加活动。")
    page.click("#save-replies")
    expect(page.locator(".flash")).to_contain_text("回复已保存")
    page.screenshot(path=str(artifacts / "console-menu-and-replies.png"), full_page=True)
    context.close()
