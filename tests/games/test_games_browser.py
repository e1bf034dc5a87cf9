"""The games in Chromium with WeChat's user agent: every registered game lands on the awarded tier
play after play; the 九宫格 grid and the slot machine keep moving while the answer is slow, retry a
dropped answer, honour reduced motion, and a slot loss is never a near miss of the top prize."""

from __future__ import annotations

import pytest

from games.registry import GAMES
from games.slot import BLANKS, loss_line_allowed
from tests.games.helpers import (
    drop_the_first_answer,
    ledger,
    lit_cell,
    open_game,
    published,
    segment_under_pointer,
    slot_line,
)

pytestmark = pytest.mark.browser

NAMES = {"gold": "一等奖 咖啡", "silver": "二等奖 半价券", "none": "谢谢参与"}
ALWAYS_GOLD = (("gold", NAMES["gold"], 1, 5, False), ("none", NAMES["none"], 0, 0, True))
PLAY = "[data-play]"
ANIMATED = {"grid": "#grid", "slot": "#slot", "wheel": "#wheel"}


def play_once(page, game: str) -> None:
    page.click(PLAY)
    if game in ANIMATED:
        page.wait_for_selector(f"{ANIMATED[game]}[data-state=landed]", timeout=20_000)
    page.wait_for_selector("#result:not([hidden])")


def slot_shown(page) -> str:
    """Three alike are the tier of that symbol; anything else is a loss, and must be no near miss."""
    line = slot_line(page)
    if len(set(line)) == 1 and line[0] not in BLANKS:
        return line[0]
    assert loss_line_allowed(line, "gold"), f"a loss shows {line}"
    return "none"


# How to read, from what is drawn, the tier each game shows at rest (a new game adds its reader).
SHOWN = {
    "grid": lit_cell,
    "slot": slot_shown,
    "wheel": segment_under_pointer,
    "scratch": lambda page: {v: k for k, v in NAMES.items()}[page.locator("#under-text").inner_text()],
}


def shown(page, game: str) -> str:
    """The tier the game shows at rest."""
    return SHOWN[game](page)


def moving(page, game: str) -> str:
    """A snapshot of what moves: the lit cell, or the reels' positions."""
    if game == "grid":
        return page.locator("#grid").get_attribute("data-lit")
    return page.evaluate("Array.from(document.querySelectorAll('#slot .strip')).map(s => s.style.transform).join()")


@pytest.mark.parametrize("game", sorted(GAMES))
def test_the_game_lands_on_the_awarded_tier_eight_plays_in_a_row(app, live_server, services, phone, game):
    campaign = published(services, game)
    open_game(phone, app, live_server, campaign)
    phone.wait_for_selector("#game[data-state=ready]")

    seen = []
    for _ in range(8):
        play_once(phone, game)
        seen.append((int(phone.locator("#result").get_attribute("data-seq")), shown(phone, game)))
        phone.click("#again")

    recorded = {d.seq: d.awarded_tier for d in ledger(services, campaign)}
    assert [(seq, recorded[seq]) for seq, _ in seen] == seen
    assert len(recorded) == 8 and len({tier for _, tier in seen}) >= 2


@pytest.mark.parametrize("game", ["grid", "slot"])
def test_on_a_slow_answer_the_game_keeps_moving_then_lands_on_the_awarded_tier(
    app, live_server, services, phone, artifacts, game
):
    campaign = published(services, game, prizes=ALWAYS_GOLD, codes={"gold": 5})
    phone.set_viewport_size({"width": 390, "height": 844})
    open_game(phone, app, live_server, campaign)
    phone.wait_for_selector("#game[data-state=ready]")
    phone.screenshot(path=str(artifacts / f"games-{game}-rest.png"))
    cdp = phone.context.new_cdp_session(phone)
    cdp.send("Network.enable")
    cdp.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 2000, "downloadThroughput": -1, "uploadThroughput": -1},
    )

    phone.click(PLAY)
    snapshots = []
    for _ in range(6):
        phone.wait_for_timeout(250)
        snapshots.append(moving(phone, game))
    assert phone.locator(ANIMATED[game]).get_attribute("data-state") == "running"
    assert len(set(snapshots)) >= 4, snapshots
    phone.screenshot(path=str(artifacts / f"games-{game}-running.png"))
    phone.wait_for_selector(f"{ANIMATED[game]}[data-state=landed]", timeout=20_000)

    draws = ledger(services, campaign)
    assert len(draws) == 1 and shown(phone, game) == draws[0].awarded_tier == "gold"
    assert phone.locator("#result-name").inner_text() == NAMES["gold"]
    phone.wait_for_function("() => document.getElementById('announce').textContent.includes('一等奖')")
    phone.screenshot(path=str(artifacts / f"games-{game}-won.png"), full_page=True)


@pytest.mark.parametrize("game", ["grid", "slot"])
def test_a_dropped_answer_is_retried_with_the_same_key_and_shows_one_result(app, live_server, services, phone, game):
    campaign = published(services, game)
    open_game(phone, app, live_server, campaign)
    phone.wait_for_selector("#game[data-state=ready]")
    keys = drop_the_first_answer(phone)
    play_once(phone, game)

    draws = ledger(services, campaign)
    assert len(keys) == 2 and keys[0] == keys[1]
    assert len(draws) == 1
    assert phone.locator("#result").get_attribute("data-seq") == str(draws[0].seq)
    assert shown(phone, game) == draws[0].awarded_tier


@pytest.mark.parametrize("game", ["grid", "slot"])
def test_with_reduced_motion_the_result_shows_without_the_animation(app, live_server, services, phone, game):
    campaign = published(services, game)
    phone.emulate_media(reduced_motion="reduce")
    open_game(phone, app, live_server, campaign)
    phone.wait_for_selector("#game[data-state=ready]")
    # Count every change of what would move: the lit cell, or a reel's position.
    phone.evaluate(
        """() => {
            window.moves = 0;
            const watch = new MutationObserver(records => { window.moves += records.length; });
            document.querySelectorAll('#grid, #slot .strip').forEach(el =>
                watch.observe(el, { attributes: true, attributeFilter: ['data-lit', 'style'] }));
        }"""
    )

    for _ in range(3):
        phone.click(PLAY)
        phone.wait_for_selector("#result:not([hidden])", timeout=5_000)
        phone.wait_for_function("() => document.getElementById('announce').textContent.length > 0")
        phone.click("#again")

    draws = ledger(services, campaign)
    assert len(draws) == 3
    # At most one change per play (grid) or per reel and play (slot): the jump to the result.
    assert phone.evaluate("window.moves") <= 3 * (1 if game == "grid" else 3)


def test_a_slot_loss_never_lines_up_two_top_prize_symbols(app, live_server, services, phone):
    never_wins = (("gold", NAMES["gold"], 0, 5, False), ("silver", NAMES["silver"], 0, 5, False))
    campaign = published(services, "slot", prizes=(*never_wins, ("none", NAMES["none"], 1, 0, True)))
    phone.emulate_media(reduced_motion="reduce")
    open_game(phone, app, live_server, campaign)
    phone.wait_for_selector("#game[data-state=ready]")

    lines = []
    for _ in range(10):
        phone.click(PLAY)
        phone.wait_for_selector("#result:not([hidden])")
        lines.append(slot_line(phone))
        phone.click("#again")

    assert all(loss_line_allowed(line, "gold") for line in lines), lines
    assert len({tuple(line) for line in lines}) >= 2
