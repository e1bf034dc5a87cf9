"""Stored XSS through every text a marketer (or an admin) types, on every page that shows it,
and formula injection through the CSV exports."""

from __future__ import annotations

import csv
import io

import pytest

from campaigns.analytics import stats
from campaigns.coupons.models import RefusalLog
from campaigns.coupons.stores import create_link, create_store
from extensions import db
from tests.console.conftest import sign_in
from tests.factories import NOW, ChannelFactory, EventFactory, StaffFactory
from tests.games.helpers import published
from web.results import csv_cell

from .helpers import XSS

PRIZES = (("gold", XSS, 1, 5, False), ("none", "谢谢 " + XSS, 1, 0, True))
# Marketer-controlled values that reach the exports, each starting like a spreadsheet formula.
FORMULAS = {"channel": '=HYPERLINK("http://evil.example","x")', "scene": "+1+cmd|' /C calc'!A0", "tier": "@SUM(1+1)"}


@pytest.fixture
def hostile(app, services):
    """A live wheel where every marketer-editable text is the payload: names, title, prizes, channel,
    the account, a store, its link, a refusal, and an event carrying formula-like values."""
    campaign = published(services, game="wheel", prizes=PRIZES, name=XSS, look={"title": XSS}, slug="hostile")
    campaign.account.name = XSS
    ChannelFactory(campaign=campaign, name=XSS, scene="hostile:poster")
    store = create_store(db.session, campaign.account, XSS)
    create_link(db.session, store, campaign=campaign, label=XSS)
    db.session.add(RefusalLog(store_id=store.id, code_entered=XSS, reason="coupon_unknown", at=NOW))
    EventFactory(campaign_id=campaign.id, type="follow", openid="o-x", data=FORMULAS)
    admin = StaffFactory(role="admin")
    db.session.commit()
    stats.recompute(db.session, campaign.id, NOW)
    db.session.commit()
    return {"campaign": campaign, "admin": admin}


PAGES = [
    "/c/hostile/",
    "/c/hostile/rules",
    "/c/hostile/verify",
    "/console/",
    "/console/campaigns/hostile",
    "/console/campaigns/hostile/edit",
    "/console/campaigns/hostile/codes",
    "/console/campaigns/hostile/preview",
    "/console/campaigns/hostile/results",
    "/console/accounts/{account}/compare",
    "/console/accounts",
    "/console/audit",
    "/redeem/",
    "/redeem/stores",
    "/redeem/refusals",
]


def test_the_payload_is_never_rendered_raw_on_any_page(app, hostile):
    client = app.test_client()
    campaign = hostile["campaign"]
    sign_in(client, hostile["admin"])
    with client.session_transaction() as session:
        session[f"follower:{campaign.account_id}"] = "o-follower"
    for path in PAGES:
        path = path.format(account=campaign.account.slug)
        answer = client.get(path, headers={"User-Agent": "MicroMessenger"})
        page = answer.get_data(as_text=True)
        assert answer.status_code == 200, path
        assert "<script>__xss" not in page and "<img src=x" not in page, path
    game = client.get("/c/hostile/", headers={"User-Agent": "MicroMessenger"}).get_data(as_text=True)
    assert "&lt;script&gt;__xss=1&lt;/script&gt;" in game  # shown, as text


def test_the_csv_exports_neutralise_formulas_and_are_downloads(app, hostile):
    client = sign_in(app.test_client(), hostile["admin"])
    answer = client.get("/api/v1/campaigns/hostile/events.csv")
    assert answer.mimetype == "text/csv" and answer.headers["Content-Disposition"].startswith("attachment")
    rows = list(csv.DictReader(io.StringIO(answer.get_data(as_text=True))))
    [follow] = [row for row in rows if row["type"] == "follow"]
    assert {name: follow[name] for name in FORMULAS} == {name: "'" + value for name, value in FORMULAS.items()}
    stats_csv = client.get("/api/v1/campaigns/hostile/stats.csv").get_data(as_text=True)
    assert not any(cell.startswith(("=", "+", "@")) for line in csv.reader(io.StringIO(stats_csv)) for cell in line)


def test_numbers_stay_numbers_and_only_formula_text_is_quoted():
    assert [csv_cell(v) for v in (-3, 0, 2.5, None, "-1", "=1+1", "@x", "\tx", "plain", "a=b")] == [
        -3,
        0,
        2.5,
        "",
        "'-1",
        "'=1+1",
        "'@x",
        "'\tx",
        "plain",
        "a=b",
    ]


@pytest.mark.browser
def test_nothing_runs_in_chromium_on_the_game_rules_console_and_store_pages(app, hostile, live_server, browser):
    campaign = hostile["campaign"]
    cookie = app.session_interface.get_signing_serializer(app).dumps(
        {"staff_id": hostile["admin"].id, f"follower:{campaign.account_id}": "o-follower"}
    )
    context = browser.new_context(user_agent="Mozilla/5.0 MicroMessenger/8.0")
    context.add_cookies([{"name": "session", "value": cookie, "url": live_server.url}])
    page = context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    try:
        for path in (
            "/c/hostile/",
            "/c/hostile/rules",
            "/console/campaigns/hostile",
            "/console/campaigns/hostile/edit",
            "/console/campaigns/hostile/results",
            "/redeem/stores",
            "/redeem/refusals",
        ):
            page.goto(live_server.url + path, wait_until="load")
            assert page.evaluate("window.__xss") is None, path
            assert "<script>__xss=1</script>" in page.content().replace("&lt;", "<").replace("&gt;", ">"), path
    finally:
        context.close()
    assert dialogs == []
