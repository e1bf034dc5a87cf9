"""The passive reply (被动回复) to a push, chosen from the account's book and rendered by wechatpy.

- subscribe or SCAN with a campaign's scene: the campaign's card, its game URL carrying ``ch=<scene>``;
- subscribe without a (known) scene: the welcome message;
- a text message: the first exact keyword, else the first containing one, else the default reply;
- a menu CLICK: the reply bound to its key (its game URLs carry ``ch=menu``);
- anything else: no reply (``success``).

A card is a news message for a live campaign, a text saying when it starts for a scheduled one, and
a text linking to its fairness page for an ended one. WeChat allows one article in the reply to a
message the follower sent, and up to eight in the reply to an event.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from html import escape
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from wechatpy.replies import ArticlesReply, TextReply

from ..catalog.status import LIVE, SCHEDULED, status_at
from .book import AccountBook, CampaignCard
from .push import scene_of

EVENT_ARTICLES = 8
MESSAGE_ARTICLES = 1
MENU_CHANNEL = "menu"


@dataclass(frozen=True)
class Answer:
    """A reply before rendering: a text, or news articles (``{"title", "description", "image", "url"}``)."""

    text: str = ""
    articles: tuple[dict[str, str], ...] = ()


def game_url(public_url: str, slug: str, channel: str = "") -> str:
    """The campaign's game page, carrying ``ch=<channel>`` when the reply came through one."""
    url = f"{public_url}/c/{quote(slug)}/"
    return f"{url}?ch={quote(channel, safe='')}" if channel else url


def _article(card: CampaignCard, public_url: str, channel: str) -> dict[str, str]:
    return {
        "title": card.title,
        "description": card.description,
        "image": public_url + card.cover if card.cover else "",
        "url": game_url(public_url, card.slug, channel),
    }


def _local(at: datetime, timezone: str) -> str:
    local = at.astimezone(ZoneInfo(timezone)) if at.tzinfo else at.replace(tzinfo=ZoneInfo("UTC"))
    return f"{local.month}月{local.day}日 {local:%H:%M}"


def _not_live(card: CampaignCard, state: str, public_url: str) -> Answer:
    """The text for a campaign that cannot be played now."""
    if state == SCHEDULED:
        return Answer(text=f"「{card.title}」将于 {_local(card.starts_at, card.timezone)} 开始，敬请期待。")
    if state == "paused":
        return Answer(text=f"「{card.title}」暂停中，请稍后再来。")
    verify = f"{public_url}/c/{quote(card.slug)}/verify"
    return Answer(text=f'「{card.title}」已结束，感谢参与。<a href="{escape(verify)}">查看公平性验证</a>')


def cards_answer(
    cards: list[CampaignCard], now: datetime, public_url: str, channel: str, max_articles: int
) -> Answer | None:
    """The answer showing ``cards``: news of the live ones, else the first one's state; None without cards."""
    states = [(card, status_at(card, now)) for card in cards]
    live = [card for card, state in states if state == LIVE]
    if len(live) > max_articles:
        links = "\n".join(
            f'<a href="{escape(game_url(public_url, c.slug, channel))}">{escape(c.title)}</a>' for c in live
        )
        return Answer(text=f"进行中的活动：\n{links}")
    if live:
        return Answer(articles=tuple(_article(card, public_url, channel) for card in live))
    return _not_live(*states[0], public_url) if states else None


def _reply_answer(
    book: AccountBook, reply: dict[str, Any] | None, now: datetime, public_url: str, channel: str, max_articles: int
) -> Answer | None:
    """The answer for one reply of the replies document."""
    if reply is None:
        return None
    if reply["type"] == "text":
        return Answer(text=reply["content"])
    named = [book.cards[slug] for slug in reply.get("campaigns") or [] if slug in book.cards]
    if not reply.get("campaigns"):
        named = [c for c in book.cards.values() if status_at(c, now) == LIVE]
    return cards_answer(named, now, public_url, channel, max_articles)


def keyword_reply(keywords: list[dict[str, Any]], text: str) -> dict[str, Any] | None:
    """The reply of the first keyword equal to ``text``, else of the first one ``text`` contains."""
    text = text.strip()
    exact = next((k for k in keywords if k["match"] == "exact" and k["keyword"] == text), None)
    found = exact or next((k for k in keywords if k["match"] == "contains" and k["keyword"] in text), None)
    return found["reply"] if found else None


def _event_answer(book: AccountBook, fields: Mapping[str, str], now: datetime, public_url: str) -> Answer | None:
    event = fields.get("Event", "").lower()
    if event in ("subscribe", "scan"):
        scene = scene_of(fields)
        card = book.campaign_of_scene(scene) if scene else None
        if card is not None:
            return cards_answer([card], now, public_url, scene, EVENT_ARTICLES)
        if event == "subscribe":
            return _reply_answer(book, book.replies["welcome"], now, public_url, "", EVENT_ARTICLES)
        return None
    if event == "click":
        key = fields.get("EventKey", "")
        reply = next((c["reply"] for c in book.replies["clicks"] if c["key"] == key), None)
        return _reply_answer(book, reply, now, public_url, MENU_CHANNEL, EVENT_ARTICLES)
    return None


def choose(book: AccountBook, fields: Mapping[str, str], now: datetime, public_url: str) -> Answer | None:
    """The answer to a push, or None when it gets none."""
    kind = fields.get("MsgType", "")
    if kind == "event":
        return _event_answer(book, fields, now, public_url)
    reply = keyword_reply(book.replies["keywords"], fields.get("Content", "")) if kind == "text" else None
    return _reply_answer(book, reply or book.replies["default"], now, public_url, "", MESSAGE_ARTICLES)


def _cdata(value: str) -> str:
    """Text safe inside the CDATA sections wechatpy writes."""
    return value.replace("]]>", "]] >")


def render(answer: Answer | None, fields: Mapping[str, str], now: datetime) -> str:
    """The reply XML of ``answer`` (to the push's sender, from the account), or "" for none."""
    if answer is None:
        return ""
    people = {
        "source": fields.get("ToUserName", ""),
        "target": fields.get("FromUserName", ""),
        "time": int(now.timestamp()),
    }
    if answer.articles:
        articles = [{k: _cdata(v) for k, v in article.items()} for article in answer.articles]
        return ArticlesReply(articles=articles, **people).render()
    return TextReply(content=_cdata(answer.text), **people).render()
