"""What every game adds around a play, in Chromium with WeChat's user agent: the sound toggle and its
ticks, vibration, the real-winners ticker, and how every game page looks on a 390 x 844 phone."""

from __future__ import annotations

import pytest

from campaigns.demo import PRIZES as DEMO_PRIZES
from campaigns.keys import CampaignKeys
from games.registry import GAMES
from tests.games.helpers import ledger, open_game, published

pytestmark = pytest.mark.browser

MIXED = (
    ("gold", "一等奖 咖啡", 1, 50, False),
    ("silver", "二等奖 半价券", 1, 50, False),
    ("none", "谢谢参与", 1, 0, True),
)
DEMO = tuple((tier, name, weight, stock, tier == "none") for tier, name, weight, stock, _, _ in DEMO_PRIZES)


def play(page) -> None:
    page.click("[data-play]")
    page.wait_for_selector("#result:not([hidden])", timeout=20_000)


def test_sound_stays_off_until_the_toggle_is_tapped_then_ticks_while_the_light_runs(app, live_server, services, phone):
    campaign = published(services, "grid")
    sounds = []
    phone.on("request", lambda request: "/static/sound/" in request.url and sounds.append(request.url))
    open_game(phone, app, live_server, campaign)
    phone.wait_for_selector("#game[data-state=ready]")
    play(phone)
    assert sounds == [] and phone.locator("#sound").get_attribute("aria-pressed") == "false"
    assert phone.locator("#sound").get_attribute("data-played") is None
    phone.click("#again")

    phone.click("#sound")
    assert phone.locator("#sound").get_attribute("aria-pressed") == "true"
    assert phone.locator("#sound").inner_text() == "声音：开"
    phone.wait_for_function(
        "() => performance.getEntriesByType('resource').filter(e => e.name.includes('/sound/')).length === 3"
    )
    cdp = phone.context.new_cdp_session(phone)
    cdp.send("Network.enable")
    cdp.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 1500, "downloadThroughput": -1, "uploadThroughput": -1},
    )
    phone.click("[data-play]")
    phone.wait_for_timeout(1000)
    running = int(phone.locator("#sound").get_attribute("data-played") or 0)
    assert phone.locator("#grid").get_attribute("data-state") == "running"
    phone.wait_for_selector("#result:not([hidden])", timeout=20_000)
    after = int(phone.locator("#sound").get_attribute("data-played"))
    phone.wait_for_timeout(500)

    assert sorted(url.rsplit("/", 1)[1] for url in sounds) == ["lose.wav", "tick.wav", "win.wav"]
    assert running >= 4  # ticks while the light runs, waiting for the answer ...
    assert after > running  # ... more while it slows down, and the result's own sound
    assert int(phone.locator("#sound").get_attribute("data-played")) == after  # nothing once it rests


@pytest.mark.parametrize("game", sorted(GAMES))
def test_the_result_vibrates_the_phone_where_it_can(app, live_server, services, phone, game):
    campaign = published(services, game)
    phone.add_init_script(
        "navigator.vibrate = pattern => { (window.buzzes = window.buzzes || []).push(pattern); return true; }"
    )
    phone.emulate_media(reduced_motion="reduce")
    open_game(phone, app, live_server, campaign)
    phone.wait_for_selector("#game[data-state=ready]")
    phone.wait_for_function("() => !!window.GameEffects")  # loaded once the game is up
    play(phone)

    won = phone.locator("#game").get_attribute("data-state") == "won"
    assert phone.evaluate("window.buzzes") == [[40, 60, 120] if won else 30]


def test_the_ticker_shows_only_the_ledgers_wins(app, live_server, services, phone, artifacts):
    campaign = published(services, "slot", prizes=MIXED, look={"winners": 5})
    phone.set_viewport_size({"width": 390, "height": 844})
    phone.emulate_media(reduced_motion="reduce")
    open_game(phone, app, live_server, campaign)
    phone.wait_for_selector("#game[data-state=ready]")
    assert phone.locator("#ticker").is_hidden()  # no win yet: no ticker, and nothing made up
    for _ in range(8):
        play(phone)
        phone.click("#again")
    draws = ledger(services, campaign)
    play(phone)  # drawn, but not in the SQL ledger yet: not on the ticker either
    services.redis.delete(CampaignKeys(campaign.id).winners_refresh)  # as if the few seconds had passed

    phone.reload()
    phone.wait_for_selector("#ticker:not([hidden])")
    listed = phone.evaluate("fetch('winners').then(r => r.json())")["winners"]

    wins = [d for d in reversed(draws) if d.awarded_tier != "none"][:5]
    names = {tier: name for tier, name, *_ in MIXED}
    assert wins, "no win in eight plays at even odds"
    assert listed == [{"seq": d.seq, "player": d.player[:4], "prize": names[d.awarded_tier]} for d in wins]
    line = phone.locator("#ticker-line")
    assert line.inner_text() == f"玩家 {wins[0].player[:4]}… 抽中 {names[wins[0].awarded_tier]}"
    assert int(phone.locator("#ticker").get_attribute("data-count")) == len(wins)
    phone.screenshot(path=str(artifacts / "games-ticker.png"))


@pytest.mark.parametrize("game", sorted(GAMES))
def test_every_game_page_fits_a_390_by_844_phone(app, live_server, services, phone, artifacts, game):
    campaign = published(services, game, prizes=DEMO, name="幸运大转盘", look={"winners": 5})
    phone.set_viewport_size({"width": 390, "height": 844})
    open_game(phone, app, live_server, campaign)
    phone.wait_for_selector("#game[data-state=ready]")
    phone.wait_for_timeout(300)
    phone.screenshot(path=str(artifacts / f"games-{game}-390x844.png"))

    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    # The campaign's name once, and no game name under it repeating it.
    assert phone.locator("header").inner_text().count("幸运大转盘") == 1
    play_box = phone.locator("[data-play]").bounding_box()
    assert play_box["y"] + play_box["height"] <= 844  # the play control is on the first screen
