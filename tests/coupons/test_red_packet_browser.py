"""A cash red packet walked in Chromium on a phone: win it, tap 领取红包, the payout job sends it through
the simulator's WeChat Pay, the winner opens it (the simulator plays WeChat) and sees it received."""

from __future__ import annotations

import pytest
from rq import SimpleWorker

from campaigns import tasks
from extensions import db
from tests.games.helpers import ledger

from .test_red_packets import published_cash

pytestmark = pytest.mark.browser


def test_a_winner_claims_and_opens_a_red_packet(app, sim_live_server, simulator, services, phone, artifacts):
    app.extensions["services"].settings["WECHAT_PAY_BASE"] = simulator.url
    campaign = published_cash(services)
    cookie = app.session_interface.get_signing_serializer(app).dumps({f"follower:{campaign.account_id}": "o-fan"})
    phone.context.add_cookies([{"name": "session", "value": cookie, "url": sim_live_server.url}])
    phone.goto(f"{sim_live_server.url}/c/{campaign.slug}/")
    phone.click("#reveal")
    phone.wait_for_selector("#result:not([hidden])", timeout=15_000)
    assert phone.locator("#claim-link").inner_text() == "点击领取"
    ledger(services, campaign)
    phone.click("#claim-link")
    phone.wait_for_selector("#claim-button")
    phone.screenshot(path=str(artifacts / "red-packet-to-claim.png"), full_page=True)
    phone.click("#claim-button")
    phone.wait_for_function("() => document.getElementById('claim-state').textContent === '发放中'")

    assert tasks.pay_due_red_packets() == 1
    SimpleWorker([services.queue], connection=services.queue.connection).work(burst=True)
    phone.reload()
    assert phone.locator("#claim-state").inner_text() == "已发出：请在微信中领取"
    assert phone.locator("#amount").inner_text() == "¥8.88"
    phone.click("#sim-open")
    phone.wait_for_function("() => document.getElementById('open-msg').textContent.length > 0")
    assert tasks.reconcile_red_packets() == 1
    db.session.expire_all()
    phone.reload()
    assert phone.locator("#claim-state").inner_text() == "已领取"
    phone.screenshot(path=str(artifacts / "red-packet-received.png"), full_page=True)
