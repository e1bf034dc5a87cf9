"""Choosing and rendering the passive reply from an account book: pure, on plain values."""

from __future__ import annotations

from datetime import timedelta

from campaigns.wechat.accounts import Credentials
from campaigns.wechat.answers import Answer, choose, keyword_reply, render
from campaigns.wechat.book import AccountBook, CampaignCard
from campaigns.wechat.replies import EMPTY
from tests.factories import NOW

URL = "https://campaigns.example"
ALL_LIVE = {"type": "campaigns", "campaigns": []}


def card(slug: str, status: str = "live", starts: int = -1, ends: int = 7) -> CampaignCard:
    start, end = NOW + timedelta(days=starts), NOW + timedelta(days=ends)
    return CampaignCard(slug, slug.title(), "奖品：茶", "", status, start, end, "UTC")


def book(*cards: CampaignCard, **replies) -> AccountBook:
    creds = Credentials("wx1", "secret", "token", "")
    return AccountBook(1, "brand", "wx1", creds, {**EMPTY, **replies}, {}, {c.slug: c for c in cards})


def text(content: str) -> dict[str, str]:
    return {"MsgType": "text", "Content": content, "FromUserName": "oFan", "ToUserName": "gh_1"}


def click(key: str) -> dict[str, str]:
    return {"MsgType": "event", "Event": "CLICK", "EventKey": key, "FromUserName": "oFan", "ToUserName": "gh_1"}


def test_an_exact_keyword_wins_over_an_earlier_containing_one():
    keywords = [
        {"keyword": "奖", "match": "contains", "reply": {"type": "text", "content": "contains"}},
        {"keyword": "抽奖", "match": "exact", "reply": {"type": "text", "content": "exact"}},
    ]
    assert keyword_reply(keywords, " 抽奖 ")["content"] == "exact"
    assert keyword_reply(keywords, "我要抽奖")["content"] == "contains"
    assert keyword_reply(keywords, "你好") is None


def test_several_live_campaigns_answer_a_message_with_links_and_an_event_with_articles():
    live = (card("spring"), card("summer"), card("winter", "ended", -9, -2))
    message = choose(
        book(*live, keywords=[{"keyword": "抽奖", "match": "exact", "reply": ALL_LIVE}]), text("抽奖"), NOW, URL
    )
    assert message.text.count("<a href=") == 2 and "winter" not in message.text  # one article at most for a message
    event = choose(book(*live, clicks=[{"key": "K", "reply": ALL_LIVE}]), click("K"), NOW, URL)
    assert [a["url"] for a in event.articles] == [f"{URL}/c/spring/?ch=menu", f"{URL}/c/summer/?ch=menu"]


def test_a_paused_campaign_says_so_and_a_message_without_a_reply_gets_none():
    named = {"keyword": "1", "match": "exact", "reply": {"type": "campaigns", "campaigns": ["spring"]}}
    paused = book(card("spring", "paused"), keywords=[named])
    assert "暂停" in choose(paused, text("1"), NOW, URL).text
    assert choose(paused, text("2"), NOW, URL) is None and render(None, text("2"), NOW) == ""


def test_a_text_cannot_close_the_replys_cdata():
    xml = render(Answer(text="a]]><b>"), text("x"), NOW)
    assert "a]]><b>" not in xml and "<ToUserName><![CDATA[oFan]]></ToUserName>" in xml
