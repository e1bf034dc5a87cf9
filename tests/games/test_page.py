"""The game page over HTTP: the login gate, the visit event, the state, the CSP, the languages, the weight."""

from __future__ import annotations

import gzip
import json
import re
from datetime import timedelta
from html.parser import HTMLParser

import flask_babel
import pytest

from campaigns.clock import SystemClock
from campaigns.keys import CampaignKeys
from extensions import db
from games.registry import GAMES
from tests.games.helpers import log_in, make_campaign

PAGE_BUDGET = 60 * 1024


class Assets(HTMLParser):
    """The scripts and stylesheets a page loads, and any inline script."""

    def __init__(self):
        super().__init__()
        self.urls: list[str] = []
        self.third_party_scripts: list[dict] = []
        self.inline_scripts: list[str] = []
        self._in_script: dict | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("data-script"):  # a script the page loads once it is up (effects.js)
            self.urls.append(attrs["data-script"])
        if tag == "link" and attrs.get("rel") == "stylesheet":
            self.urls.append(attrs["href"])
        if tag == "script":
            if attrs.get("src", "").startswith(("http://", "https://")):
                self.third_party_scripts.append(attrs)
            elif attrs.get("src"):
                self.urls.append(attrs["src"])
            elif attrs.get("type") != "application/json":
                self.inline_scripts.append(str(attrs))


def page_data(html: str) -> dict:
    block = re.search(r'<script type="application/json" id="game-data">(.*?)</script>', html, re.S)
    return json.loads(block.group(1))


def test_a_follower_who_is_not_logged_in_is_sent_to_log_in(client, services):
    campaign = make_campaign()
    db.session.commit()

    response = client.get(f"/c/{campaign.slug}/")

    assert response.status_code == 302
    assert response.headers["Location"].startswith(f"/c/{campaign.slug}/login?next=")
    assert services.redis.xlen(CampaignKeys(campaign.id).events) == 0


def test_outside_wechat_the_page_asks_to_open_it_in_wechat_and_appends_no_visit(app, services):
    campaign = make_campaign()
    db.session.commit()
    browser = app.test_client()  # a desktop browser: no MicroMessenger in its user agent
    log_in(browser, campaign)

    response = browser.get(f"/c/{campaign.slug}/")

    assert response.status_code == 200
    assert 'id="game-data"' not in response.get_data(as_text=True)
    assert services.redis.xlen(CampaignKeys(campaign.id).events) == 0


def test_each_page_load_of_a_logged_in_follower_appends_one_visit_event(client, services):
    campaign = make_campaign()
    db.session.commit()
    openid = log_in(client, campaign)

    for _ in range(2):
        assert client.get(f"/c/{campaign.slug}/").status_code == 200

    entries = services.redis.xrange(CampaignKeys(campaign.id).events)
    visits = [fields for _, fields in entries if fields["type"] == "visit"]
    assert len(visits) == 2
    assert {v["openid"] for v in visits} == {openid}
    assert len({v["id"] for v in visits}) == 2


def test_a_draft_campaign_has_no_page(client):
    campaign = make_campaign(status="draft")
    db.session.commit()
    log_in(client, campaign)

    assert client.get(f"/c/{campaign.slug}/").status_code == 404


@pytest.mark.parametrize(
    ("fields", "state"),
    [
        ({}, "live"),
        ({"status": "scheduled", "starts_at_days": 2}, "scheduled"),
        ({"starts_at_days": 2}, "scheduled"),
        ({"status": "paused"}, "paused"),
        ({"status": "ended"}, "ended"),
        ({"ends_at_days": -1}, "ended"),
    ],
)
def test_the_page_tells_the_script_which_screen_the_schedule_calls_for(client, fields, state):
    now = SystemClock().now()
    if "starts_at_days" in fields:
        fields = dict(fields)
        fields["starts_at"] = now + timedelta(days=fields.pop("starts_at_days"))
    if "ends_at_days" in fields:
        fields = {"ends_at": now + timedelta(days=fields["ends_at_days"]), "starts_at": now - timedelta(days=3)}
    campaign = make_campaign(**fields)
    db.session.commit()
    log_in(client, campaign)

    data = page_data(client.get(f"/c/{campaign.slug}/").get_data(as_text=True))

    assert data["state"] == state


def test_the_page_has_no_inline_script_and_sends_the_csp(client):
    campaign = make_campaign(game="wheel")
    db.session.commit()
    log_in(client, campaign)

    response = client.get(f"/c/{campaign.slug}/")
    assets = Assets()
    assets.feed(response.get_data(as_text=True))

    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert assets.inline_scripts == []
    assert "/static/js/game.js" in assets.urls and "/static/js/wheel.js" in assets.urls


def test_chinese_by_default_and_english_when_the_browser_prefers_it(client):
    campaign = make_campaign()
    db.session.commit()
    log_in(client, campaign)

    chinese = client.get(f"/c/{campaign.slug}/").get_data(as_text=True)
    flask_babel.refresh()  # the test client shares one app context, where the locale is cached
    english = client.get(f"/c/{campaign.slug}/", headers={"Accept-Language": "en-GB,en;q=0.9"}).get_data(as_text=True)

    assert '<html lang="zh-CN">' in chinese and "不刮，直接揭晓" in chinese
    assert page_data(chinese)["t"]["win_title"] == "恭喜中奖！"
    assert '<html lang="en">' in english and "Reveal without scratching" in english
    assert page_data(english)["t"]["win_title"] == "You won!"


def test_every_script_string_is_translated_into_chinese(client):
    campaign = make_campaign()
    db.session.commit()
    log_in(client, campaign)
    english = page_data(client.get(f"/c/{campaign.slug}/", headers={"Accept-Language": "en"}).get_data(as_text=True))
    flask_babel.refresh()

    chinese = page_data(client.get(f"/c/{campaign.slug}/").get_data(as_text=True))

    untranslated = [key for key, text in chinese["t"].items() if text == english["t"][key]]
    assert untranslated == []


def test_the_marketer_look_is_applied_and_unsafe_values_are_dropped(client):
    campaign = make_campaign(
        look={
            "title": "双十二",
            "background": "#102030",
            "accent": "red;}body{display:none",
            "background_image": "https://elsewhere.example/bg.png",
        }
    )
    db.session.commit()
    log_in(client, campaign)

    html = client.get(f"/c/{campaign.slug}/").get_data(as_text=True)

    assert "<h1>双十二</h1>" in html
    assert "--bg:#102030;--fg:#ffffff;--accent:#c4161c" in html
    assert "elsewhere" not in html and "display:none" not in html


@pytest.mark.parametrize("game", sorted(GAMES))
def test_the_page_with_its_css_and_js_is_under_60_kb_compressed(app, client, game):
    campaign = make_campaign(game=game)
    db.session.commit()
    log_in(client, campaign)
    response = client.get(f"/c/{campaign.slug}/")
    assets = Assets()
    assets.feed(response.get_data(as_text=True))

    total = len(gzip.compress(response.get_data()))
    for url in assets.urls:
        asset = client.get(url)
        assert asset.status_code == 200, url
        total += len(gzip.compress(asset.get_data()))
        asset.close()

    # The sounds come only after the sound toggle is tapped; the budget counts them anyway.
    for name in ("tick", "win", "lose"):
        sound = client.get(page_data(response.get_data(as_text=True))["sounds"] + name + ".wav")
        assert sound.status_code == 200 and sound.mimetype.startswith("audio/"), name
        total += len(gzip.compress(sound.get_data()))
        sound.close()

    assert len(assets.urls) >= 4
    assert total < PAGE_BUDGET, f"{total} bytes gzipped"
    # The only third-party script is WeChat's JS-SDK, and it never blocks rendering.
    assert [a["src"] for a in assets.third_party_scripts] == [app.config["WECHAT_JSSDK_URL"]]
    assert all("async" in a for a in assets.third_party_scripts)


def test_an_unknown_campaign_page_says_so_in_the_followers_language(client):
    html = client.get("/c/no-such-campaign/").get_data(as_text=True)
    flask_babel.refresh()
    english = client.get("/c/no-such-campaign/", headers={"Accept-Language": "en"}).get_data(as_text=True)

    assert "<h1>页面不存在。</h1>" in html and "404 · not_found" in html
    assert "<h1>This page does not exist.</h1>" in english
