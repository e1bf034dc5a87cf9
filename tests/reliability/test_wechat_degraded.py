"""WeChat rate-limiting a login: the follower gets a clear page, and the next try logs in."""

from __future__ import annotations

import requests

from extensions import db
from tests.factories import CampaignFactory
from tests.wechat.helpers import _with_sim_user, login_url


def test_a_rate_limited_login_ends_on_a_clear_busy_page_and_the_next_try_logs_in(app, sim_live_server, simulator):
    campaign = CampaignFactory(status="live", slug="busy-day")
    db.session.commit()
    session = requests.Session()

    def back_from_wechat(user: str) -> str:
        to_wechat = session.get(login_url(sim_live_server.url, "busy-day", "/healthz"), allow_redirects=False)
        return session.get(_with_sim_user(to_wechat.headers["Location"], user), allow_redirects=False).headers[
            "Location"
        ]

    callback = back_from_wechat("rush-hour")
    simulator.state.misbehave.rate_errcode, simulator.state.misbehave.rate_limit = 45009, 1
    page = session.get(callback, headers={"Accept": "text/html"})
    assert page.status_code == 503 and "text/html" in page.headers["Content-Type"]
    assert "again in a moment" in page.text and "Traceback" not in page.text
    assert f"follower:{campaign.account_id}" not in _session_data(app, session)
    landed = session.get(back_from_wechat("rush-hour"))  # WeChat answers again: the same follower logs in
    assert landed.status_code == 200 and f"follower:{campaign.account_id}" in _session_data(app, session)


def _session_data(app, session: requests.Session) -> dict:
    cookie = session.cookies.get("session")
    return app.session_interface.get_signing_serializer(app).loads(cookie) if cookie else {}
