"""The results dashboard, the comparison view and the exports, over real HTTP and in Chromium."""

import csv
import io
import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from campaigns import events, recorder
from campaigns.analytics import stats
from campaigns.analytics.models import DailyStat
from campaigns.catalog.models import OfficialAccount
from campaigns.clock import to_ms
from campaigns.coupons.models import Store, StoreLink
from campaigns.staff.services import issue_token
from extensions import db
from tests.analytics.test_simulated import NOW, simulated_campaign
from tests.factories import CampaignFactory, PrizeTierFactory, StaffFactory
from tests.streams import append_draw

pytestmark = pytest.mark.clock
PSEUDONYMS = {"oAlice": "pA1", "oBob": "pB2"}


def sign_in(client, role="operator"):
    """Sign in a staff member of ``role`` who works on every account there is."""
    staff = StaffFactory(role=role, accounts=db.session.scalars(select(OfficialAccount)).all())
    db.session.commit()
    with client.session_transaction() as s:
        s["staff_id"] = staff.id
    return staff


def one_day_campaign(services):
    campaign = CampaignFactory(
        status="live", published_at=NOW, starts_at=NOW - timedelta(hours=2), ends_at=NOW + timedelta(days=5)
    )
    PrizeTierFactory(campaign=campaign, tier="cup", stock=10, position=0)
    PrizeTierFactory(campaign=campaign, tier="none", stock=0, position=1, is_fallback=True)
    db.session.commit()
    at = to_ms(NOW) - 60_000
    events.append(services.redis, campaign.id, "visit", "oAlice", at)
    for seq, (openid, tier) in enumerate([("oAlice", "cup"), ("oAlice", "none"), ("oBob", "none")], start=1):
        append_draw(
            services.redis, campaign.id, seq, openid, at + seq, PSEUDONYMS[openid], drawn_tier=tier, awarded_tier=tier
        )
    events.append(services.redis, campaign.id, "follow", "oAlice", at + 10, scene="", channel="")
    recorder.ingest_campaign(db.session, services.redis, campaign.id, "test")
    stats.recompute(db.session, campaign.id, NOW)
    return campaign


def test_every_page_and_export_needs_a_staff_sign_in(app, client):
    campaign = CampaignFactory()
    db.session.commit()
    for path in (
        f"/console/campaigns/{campaign.slug}/results",
        f"/api/v1/campaigns/{campaign.slug}/stats",
        f"/api/v1/campaigns/{campaign.slug}/channels",
        f"/api/v1/campaigns/{campaign.slug}/events.jsonl",
        f"/console/accounts/{campaign.account.slug}/compare",
    ):
        response = client.get(path, headers={"Accept": "application/json"})
        assert response.status_code == 401
        assert response.get_json()["error"]["code"] == "staff_login_required"


def test_the_dashboard_of_a_campaign_without_events(app, client):
    campaign = CampaignFactory(
        status="scheduled", published_at=NOW, starts_at=NOW + timedelta(days=1), ends_at=NOW + timedelta(days=9)
    )
    sign_in(client)
    page = client.get(f"/console/campaigns/{campaign.slug}/results")
    assert page.status_code == 200
    assert "暂无统计" in page.text
    assert client.get(f"/api/v1/campaigns/{campaign.slug}/stats").get_json()["days"] == []


def test_the_dashboard_of_a_one_day_campaign(app, client, services):
    campaign = one_day_campaign(services)
    sign_in(client, role="marketer")
    page = client.get(f"/console/campaigns/{campaign.slug}/results", headers={"Accept-Language": "en"}).text

    assert "<b>3</b><span>plays</span>" in page
    assert "<b>2</b><span>players</span>" in page
    assert "<b>1</b><span>winners</span>" in page
    assert "<b>9</b><span>prizes left</span>" in page
    assert "<b>+1</b><span>net follower gain</span>" in page
    # Every chart keeps its table (the five daily charts and the net gain by channel).
    assert page.count("<svg") == 6 and page.count('<details class="chart-table"') == 6
    assert '<th scope="row">2026-11-23</th><td>3</td><td>1</td>' in page  # plays and visitors, for screen readers
    assert "The first day brought 100% of all plays." in page
    # The y-axis of a chart of one play counts 0, 1, 2 (not 1, 0, 0).
    assert page.count('text-anchor="end">') >= 3


def test_the_dashboard_is_chinese_first(app, client, services):
    campaign = one_day_campaign(services)
    sign_in(client, role="marketer")
    page = client.get(f"/console/campaigns/{campaign.slug}/results").text

    assert '<html lang="zh-CN">' in page
    assert "<b>3</b><span>参与次数</span>" in page and "各渠道效果" in page and "转化漏斗" in page


def test_the_channels_api_and_csv_and_cli_give_one_document(app, client, services, runner):
    campaign = one_day_campaign(services)
    staff = sign_in(client, role="operator")
    _, token = issue_token(db.session, staff, "script", "operator", NOW)
    db.session.commit()
    document = client.get(
        f"/api/v1/campaigns/{campaign.slug}/channels", headers={"Authorization": f"Bearer {token}"}
    ).get_json()

    assert document["campaign"] == campaign.slug
    assert [c["channel"] for c in document["channels"]][-4:] == ["share", "menu", "direct", "other"]
    fields = ["channel", "scene", "scans", "follows", "existing_follower_scans", "visits", "players", "plays"]
    fields += ["winners", "claimed", "redeemed", "unfollows_7d", "net_follower_gain"]
    assert all(set(c) == set(fields) for c in document["channels"])
    assert sum(c["plays"] for c in document["channels"]) == 3 and sum(c["players"] for c in document["channels"]) == 2
    cli = runner.invoke(args=["campaigns", "channels", campaign.slug, "--json", "--stored"])
    assert json.loads(cli.output) == document
    lines = list(csv.reader(io.StringIO(client.get(f"/api/v1/campaigns/{campaign.slug}/channels.csv").text)))
    assert lines[0] == fields and len(lines) == 1 + len(document["channels"])
    spec = client.get("/api/v1/openapi.json").get_json()
    assert "/campaigns/{slug}/channels" in spec["paths"]


def test_the_exports_carry_the_daily_table_and_pseudonymous_events(app, client, services):
    campaign = one_day_campaign(services)
    sign_in(client)
    base = f"/api/v1/campaigns/{campaign.slug}"

    document = client.get(f"{base}/stats").get_json()
    assert document["days"][0]["day"] == "2026-11-23"
    assert document["days"][0]["plays"] == 3 and document["days"][0]["prizes"] == {"cup": 1}
    assert document["totals"]["players"] == 2 and document["shape"]["first_day_share"] == 1.0

    table = list(csv.DictReader(io.StringIO(client.get(f"{base}/stats.csv").text)))
    assert table[0]["day"] == "2026-11-23" and table[0]["plays"] == "3" and table[0]["prizes_cup"] == "1"

    jsonl = client.get(f"{base}/events.jsonl")
    assert jsonl.is_streamed and jsonl.mimetype == "application/x-ndjson"
    lines = [json.loads(line) for line in jsonl.text.splitlines()]
    assert [r["type"] for r in lines] == ["visit", "draw", "draw", "draw", "follow"]
    assert "oAlice" not in jsonl.text and "oBob" not in jsonl.text
    # A follower who drew keeps the ledger's pseudonym on every event, visits and follows too.
    assert {r["player"] for r in lines if r["type"] != "draw" or r["seq"] != "3"} == {"pA1"}
    rows = list(csv.DictReader(io.StringIO(client.get(f"{base}/events.csv").text)))
    assert len(rows) == 5 and rows[1]["awarded_tier"] == "cup" and "oAlice" not in json.dumps(rows)


def test_a_follower_who_never_drew_gets_an_unlinkable_pseudonym(app, client, services):
    first = one_day_campaign(services)
    other = CampaignFactory(account=first.account)
    db.session.commit()
    for campaign in (first, other):
        events.append(services.redis, campaign.id, "visit", "oCarol", to_ms(NOW))
        recorder.ingest_campaign(db.session, services.redis, campaign.id, "test")
    sign_in(client)
    names = [
        [
            json.loads(line)["player"]
            for line in client.get(f"/api/v1/campaigns/{c.slug}/events.jsonl").text.splitlines()
            if json.loads(line)["ts"] == "2026-11-23T10:00:00.000Z"
        ]
        for c in (first, other)
    ]
    assert len(names[0][0]) == 32 and names[0] != names[1]


def test_the_comparison_view_puts_an_accounts_campaigns_side_by_side(app, client, services):
    first = one_day_campaign(services)
    CampaignFactory(
        account=first.account, name="第二个活动", published_at=NOW, starts_at=NOW - timedelta(days=3), ends_at=NOW
    )
    db.session.commit()
    sign_in(client)
    page = client.get(f"/console/accounts/{first.account.slug}/compare").text
    assert first.name in page and "第二个活动" in page
    assert page.count('class="card"') == 2


@pytest.mark.browser
def test_the_full_dashboard_in_chromium(app, services, live_server, browser, artifacts):
    campaign, _ = simulated_campaign(services, players=800, days=14)
    campaign.status, campaign.published_at = "live", NOW
    db.session.commit()
    stats.recompute(db.session, campaign.id, NOW)
    staff = StaffFactory(role="operator", accounts=[campaign.account])
    db.session.commit()
    cookie = app.session_interface.get_signing_serializer(app).dumps({"staff_id": staff.id})
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    context.add_cookies([{"name": "session", "value": cookie, "url": live_server.url}])
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/console/campaigns/{campaign.slug}/results")
        assert page.locator("svg.chart").count() == 6
        assert "各渠道效果" in page.locator(".placements").inner_text()
        page.screenshot(path=str(artifacts / "dashboard-zh.png"), full_page=True)
        # The channel table sorts by a column at a click on its heading.
        page.locator("#channel-table thead th", has_text="参与次数").locator("button").click()
        plays = [int(v) for v in page.locator("#channel-table tbody tr td:nth-child(7)").all_inner_texts()]
        assert plays == sorted(plays, reverse=True) and plays[0] > 0
        context.close()
        context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
        context.add_cookies([{"name": "session", "value": cookie, "url": live_server.url}])
        page = context.new_page()
        page.goto(f"{live_server.url}/console/campaigns/{campaign.slug}/results")
        assert page.locator("svg.chart rect.s0").count() > 14
        assert "Weekend days averaged" in page.locator(".shape").inner_text()
        assert "Results by placement" in page.locator(".placements").inner_text()
        page.screenshot(path=str(artifacts / "dashboard-full.png"), full_page=True)
        page.set_viewport_size({"width": 375, "height": 740})
        page.screenshot(path=str(artifacts / "dashboard-phone.png"), full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
    finally:
        context.close()


def test_redemptions_per_store_and_staff_member_show_their_names(app, client, services):
    campaign = one_day_campaign(services)
    staff = sign_in(client, role="operator")
    store = Store(account_id=campaign.account_id, name="南京路店")
    db.session.add(store)
    db.session.flush()
    link = StoreLink(store_id=store.id, label="前台", token_hash="0" * 64)
    db.session.add(link)
    db.session.commit()
    row = db.session.scalar(select(DailyStat).where(DailyStat.campaign_id == campaign.id))
    row.values = {
        **row.values,
        "redeemed_by_store": {"南京路店": 3},
        "redeemed_by_staff": {f"staff:{staff.id}": 2, f"link:{link.id}": 1},
        "median_win_to_redemption_ms": 5_400_000,
    }
    db.session.commit()

    page = client.get(f"/console/campaigns/{campaign.slug}/results").text

    assert '<th scope="row">南京路店</th><td>3</td>' in page
    assert f'<th scope="row">{staff.email}</th><td>2</td>' in page
    assert '<th scope="row">门店链接 前台（南京路店）</th><td>1</td>' in page
    assert "<b>1.5 小时</b>" in page
