"""The fairness panel: the committed seed hash, the follower's own client seed, the next nonce."""

from __future__ import annotations

import pytest

from tests.games.helpers import ledger, open_game, published

pytestmark = pytest.mark.browser


def test_the_follower_reads_the_seed_hash_changes_the_client_seed_and_the_next_draw_uses_it(
    app, live_server, services, phone
):
    campaign = published(services, "scratch")
    open_game(phone, app, live_server, campaign)
    phone.wait_for_selector("#game[data-state=ready]")
    phone.click("#fairness summary")

    assert phone.locator("#seed-hash").inner_text() == campaign.server_seed_hash
    assert phone.locator("#nonce").inner_text() == "0"
    phone.fill("#client-seed", "not a seed!")
    phone.click("#seed-form button")
    assert phone.locator("#seed-msg").inner_text() == "1 到 64 个字母、数字、- 或 _"
    phone.fill("#client-seed", "my-lucky_seed-42")
    phone.click("#seed-form button")
    phone.wait_for_selector("#seed-msg:has-text('客户端种子已保存')")

    phone.click("#reveal")
    phone.wait_for_selector("#result:not([hidden])")

    draws = ledger(services, campaign)
    assert [(d.client_seed, d.nonce) for d in draws] == [("my-lucky_seed-42", 0)]
    assert phone.locator("#nonce").inner_text() == "1"
    assert phone.locator("#verify-link").is_hidden()  # the seed is revealed only when the campaign ends
