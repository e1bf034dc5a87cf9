"""Playing in Chromium on a phone: the real draw endpoint, touch scratching, the wheel's landing, retries."""

from __future__ import annotations

import pytest

from campaigns import events
from campaigns.keys import CampaignKeys
from tests.games.helpers import drop_the_first_answer, ledger, open_game, published, scratch_row, segment_under_pointer

pytestmark = pytest.mark.browser

NAMES = {"gold": "一等奖 咖啡", "silver": "二等奖 半价券", "none": "谢谢参与"}
# The fallback may weigh 0: every draw picks gold while its stock lasts.
ALWAYS_GOLD = (("gold", NAMES["gold"], 1, 5, False), ("none", NAMES["none"], 0, 0, True))
ROWS = (0.15, 0.85, 0.5, 0.32, 0.68, 0.05, 0.95, 0.42, 0.58, 0.25, 0.75)


def draw_events(services, campaign) -> list[dict]:
    entries = events.read(services.redis.xrange(CampaignKeys(campaign.id).events), campaign.id)
    return [f for _, f in entries if f["type"] == "draw"]


def finished(page) -> bool:
    return page.locator("#game").get_attribute("data-state") in ("won", "lost")


def scratch_until_revealed(page) -> int:
    """Scratch row after row until the card reveals itself; return how many rows it took."""
    cdp = page.context.new_cdp_session(page)
    box = page.locator("#cover").bounding_box()
    for count, row in enumerate(ROWS, start=1):
        scratch_row(cdp, box, row)
        page.wait_for_timeout(150)
        if finished(page):
            return count
    raise AssertionError(
        f"still covered after {len(ROWS)} rows: {page.locator('#cover').get_attribute('data-cleared')}"
    )


def spin_and_land(page) -> None:
    page.click("#spin")
    page.wait_for_selector("#wheel[data-state=landed]", timeout=15_000)
    page.wait_for_selector("#result:not([hidden])")


def test_scratching_by_touch_reveals_the_prize_the_server_recorded(app, live_server, services, phone, artifacts):
    campaign = published(services, "scratch", prizes=ALWAYS_GOLD, codes={"gold": 5})
    openid = open_game(phone, app, live_server, campaign)
    phone.wait_for_selector("#game[data-state=ready]")
    phone.screenshot(path=str(artifacts / "games-scratch-rest.png"))

    cdp = phone.context.new_cdp_session(phone)
    scratch_row(cdp, phone.locator("#cover").bounding_box(), 0.5)
    # The first stroke asks for the draw, so the result is under the cover before it is revealed.
    phone.wait_for_function("() => document.getElementById('under-text').textContent.length > 1")
    assert len(draw_events(services, campaign)) == 1
    assert not finished(phone)
    rows = 1 + scratch_until_revealed(phone)

    phone.wait_for_selector("#result:not([hidden])")
    draws = ledger(services, campaign)
    assert rows >= 2
    assert [(d.openid, d.seq) for d in draws] == [(openid, 1)]
    assert phone.locator("#result").get_attribute("data-tier") == draws[0].awarded_tier
    assert phone.locator("#result-name").inner_text() == NAMES[draws[0].awarded_tier]
    phone.wait_for_function("() => document.getElementById('announce').textContent.length > 0")
    assert NAMES[draws[0].awarded_tier] in phone.locator("#announce").inner_text()
    # The win's coupon: the code as text and as a QR code for the store, from this origin.
    assert draws[0].coupon_code and phone.locator("#coupon-code").inner_text() == draws[0].coupon_code
    phone.wait_for_function("() => document.getElementById('coupon-qr').naturalWidth > 0")
    phone.click("#prizes-panel summary")
    phone.wait_for_selector(f"#prizes li:has-text('{draws[0].coupon_code}')")
    phone.wait_for_timeout(700)  # let the cover finish fading before the picture
    phone.screenshot(path=str(artifacts / "games-scratch-after-play.png"), full_page=True)


def test_a_rotation_redraws_the_cover_without_revealing_more(app, live_server, services, phone):
    campaign = published(services, "scratch")
    open_game(phone, app, live_server, campaign)
    phone.wait_for_selector("#game[data-state=ready]")
    cdp = phone.context.new_cdp_session(phone)
    scratch_row(cdp, phone.locator("#cover").bounding_box(), 0.5)
    phone.wait_for_timeout(200)
    before = float(phone.locator("#cover").get_attribute("data-cleared"))
    width = phone.evaluate("document.getElementById('cover').width")

    phone.set_viewport_size({"width": 740, "height": 375})
    phone.wait_for_function("w => document.getElementById('cover').width !== w", arg=width)
    phone.wait_for_timeout(250)

    after = float(phone.locator("#cover").get_attribute("data-cleared"))
    assert 0.1 < before < 0.5
    assert abs(after - before) <= 0.03
    assert not finished(phone)
    # The canvas is drawn at device pixels: 2x on this phone, so it stays sharp.
    assert phone.evaluate("document.getElementById('cover').width") == round(
        phone.locator("#cover").bounding_box()["width"] * 2
    )


def test_the_wheel_lands_on_a_segment_of_the_awarded_tier_every_spin(app, live_server, services, phone):
    campaign = published(services, "wheel")
    # Reduced motion lands at once, so many spins stay quick; the animated path is the next test.
    phone.emulate_media(reduced_motion="reduce")
    open_game(phone, app, live_server, campaign)
    phone.wait_for_selector("#game[data-state=ready]")

    shown = []
    for _ in range(8):
        spin_and_land(phone)
        shown.append((int(phone.locator("#result").get_attribute("data-seq")), segment_under_pointer(phone)))
        phone.click("#again")

    recorded = {d.seq: d.awarded_tier for d in ledger(services, campaign)}
    assert [(seq, recorded[seq]) for seq, _ in shown] == shown
    assert len({tier for _, tier in shown}) >= 2


def test_on_a_slow_network_the_wheel_keeps_spinning_then_lands_on_the_awarded_tier(
    app, live_server, services, phone, artifacts
):
    campaign = published(services, "wheel", prizes=ALWAYS_GOLD, codes={"gold": 5})
    open_game(phone, app, live_server, campaign)
    phone.wait_for_selector("#game[data-state=ready]")
    phone.screenshot(path=str(artifacts / "games-wheel-rest.png"))
    cdp = phone.context.new_cdp_session(phone)
    cdp.send("Network.enable")
    cdp.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 1500, "downloadThroughput": -1, "uploadThroughput": -1},
    )

    phone.click("#spin")
    phone.wait_for_timeout(1200)
    turning = phone.evaluate("getComputedStyle(document.getElementById('wheel')).transform")
    phone.wait_for_timeout(200)
    assert phone.evaluate("getComputedStyle(document.getElementById('wheel')).transform") != turning
    assert phone.locator("#wheel").get_attribute("data-state") == "spinning"
    phone.wait_for_selector("#wheel[data-state=landed]", timeout=15_000)

    draws = ledger(services, campaign)
    assert len(draws) == 1
    assert segment_under_pointer(phone) == draws[0].awarded_tier
    assert phone.locator("#result-name").inner_text() == NAMES[draws[0].awarded_tier]
    assert phone.locator("#coupon-code").inner_text() == draws[0].coupon_code
    phone.wait_for_function("() => document.getElementById('coupon-qr').naturalWidth > 0")
    phone.screenshot(path=str(artifacts / "games-wheel-after-play.png"), full_page=True)


def test_a_dropped_answer_is_retried_with_the_same_key_and_shows_one_result(app, live_server, services, phone):
    campaign = published(services, "scratch")
    open_game(phone, app, live_server, campaign)
    phone.wait_for_selector("#game[data-state=ready]")
    keys = drop_the_first_answer(phone)
    phone.click("#reveal")
    phone.wait_for_selector("#result:not([hidden])")

    draws = ledger(services, campaign)
    assert len(keys) == 2 and keys[0] == keys[1] and len(keys[0]) == 32
    assert len(draws) == 1
    assert phone.locator("#result").get_attribute("data-seq") == str(draws[0].seq)
    assert phone.locator("#result").count() == 1


@pytest.mark.parametrize("game", ["scratch", "wheel"])
def test_a_double_tap_plays_once(app, live_server, services, phone, game):
    campaign = published(services, game)
    phone.emulate_media(reduced_motion="reduce")
    open_game(phone, app, live_server, campaign)
    phone.wait_for_selector("#game[data-state=ready]")
    button = "#reveal" if game == "scratch" else "#spin"

    # Two taps inside one frame: the second arrives before any answer could.
    phone.evaluate("b => { const el = document.querySelector(b); el.click(); el.click(); }", button)
    phone.wait_for_selector("#result:not([hidden])", timeout=15_000)
    phone.wait_for_timeout(300)

    assert len(draw_events(services, campaign)) == 1


def test_when_no_plays_are_left_the_page_says_when_more_come(app, live_server, services, phone, artifacts):
    campaign = published(services, "scratch", plays_per_day=1)
    open_game(phone, app, live_server, campaign)
    phone.wait_for_selector("#game[data-state=ready]")
    phone.click("#reveal")
    phone.wait_for_selector("#result:not([hidden])")
    assert phone.locator("#again").is_hidden()

    phone.reload()

    phone.wait_for_selector("#game[data-state=no_plays]")
    assert phone.locator("#screen-title").inner_text() == "今天的参与次数已用完"
    assert "起可再次参与" in phone.locator("#screen-text").inner_text()
    assert phone.locator("#stage").is_hidden()
    phone.screenshot(path=str(artifacts / "games-no-plays-left.png"))


def test_the_wheel_can_be_played_with_the_keyboard_and_announces_the_result(app, live_server, services, browser):
    from tests.conftest import WECHAT_UA

    context = browser.new_context(
        viewport={"width": 1024, "height": 800}, user_agent=WECHAT_UA, reduced_motion="reduce"
    )
    page = context.new_page()
    try:
        campaign = published(services, "wheel")
        open_game(page, app, live_server, campaign)
        page.wait_for_selector("#game[data-state=ready]")
        for _ in range(10):
            page.keyboard.press("Tab")
            if page.evaluate("document.activeElement.id") == "spin":
                break
        page.keyboard.press("Enter")

        page.wait_for_selector("#wheel[data-state=landed]")
        page.wait_for_function("() => document.getElementById('announce').textContent.length > 0")
        draws = ledger(services, campaign)
        assert len(draws) == 1
        assert NAMES[draws[0].awarded_tier] in page.locator("#announce").inner_text()
    finally:
        context.close()


def test_when_the_network_stays_down_the_retry_button_replays_the_same_draw(app, live_server, services, phone):
    campaign = published(services, "scratch")
    open_game(phone, app, live_server, campaign)
    phone.wait_for_selector("#game[data-state=ready]")
    keys = []

    def unreachable(route):
        keys.append(route.request.headers.get("idempotency-key"))
        route.abort("internetdisconnected")

    phone.route("**/draw", unreachable)
    phone.click("#reveal")
    phone.wait_for_selector("#game[data-state=network]", timeout=10_000)
    assert phone.locator("#screen-title").inner_text() == "网络无响应"
    assert len(keys) == 4 and len(set(keys)) == 1
    assert ledger(services, campaign) == []

    phone.unroute("**/draw", unreachable)
    phone.click("#screen-action")
    phone.click("#reveal")
    phone.wait_for_selector("#result:not([hidden])")

    draws = ledger(services, campaign)
    assert len(draws) == 1
    assert phone.locator("#result").get_attribute("data-seq") == str(draws[0].seq)
    assert phone.evaluate("document.getElementById('game').dataset.key") == keys[0]


def test_when_every_prize_is_given_out_the_page_says_so(app, live_server, services, phone, artifacts):
    campaign = published(services, "wheel", prizes=ALWAYS_GOLD, codes={"gold": 5})
    phone.emulate_media(reduced_motion="reduce")
    open_game(phone, app, live_server, campaign)
    phone.wait_for_selector("#game[data-state=ready]")
    for _ in range(5):  # the whole gold stock
        spin_and_land(phone)
        phone.click("#again")

    phone.reload()

    phone.wait_for_selector("#game[data-state=out_of_prizes]")
    assert phone.locator("#screen-title").inner_text() == "奖品已全部送出，感谢参与！"
    phone.screenshot(path=str(artifacts / "games-out-of-prizes.png"))
