"""The login helper other browser tests use, driven through Chromium and the authorize page."""

from __future__ import annotations

import pytest

from extensions import db
from tests.factories import CampaignFactory
from tests.wechat.helpers import login_through_simulator


@pytest.mark.browser
def test_a_person_logs_in_on_the_simulator_authorize_page(app, sim_live_server, simulator, browser):
    campaign = CampaignFactory(status="live", slug="browser-login")
    db.session.commit()
    context = browser.new_context()
    page = context.new_page()
    try:
        landed = login_through_simulator(page, sim_live_server.url, "browser-login", "wendy", next_path="/healthz")
        assert landed == sim_live_server.url + "/healthz"
        cookie = next(c for c in context.cookies() if c["name"] == "session")
        data = app.session_interface.get_signing_serializer(app).loads(cookie["value"])
        assert data[f"follower:{campaign.account_id}"] == simulator.state.user(campaign.account.app_id, "wendy").openid
    finally:
        context.close()
