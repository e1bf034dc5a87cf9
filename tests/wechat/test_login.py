"""Follower login through WeChat OAuth, against the simulator over real HTTP."""

from __future__ import annotations

import time
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from sqlalchemy import select

from campaigns.players.models import Follower
from extensions import db
from tests.factories import CampaignFactory
from tests.wechat.helpers import _with_sim_user, login_through_simulator, login_url


@pytest.fixture
def campaign(app):
    campaign = CampaignFactory(status="live", slug="spring")
    db.session.commit()
    return campaign


def logged_in_openid(app, session: requests.Session, account_id: int) -> str | None:
    """The follower the app's signed session cookie names, if any."""
    cookie = session.cookies.get("session")
    if not cookie:
        return None
    data = app.session_interface.get_signing_serializer(app).loads(cookie)
    return data.get(f"follower:{account_id}")


def followers(account_id: int) -> list[Follower]:
    db.session.expire_all()
    return list(db.session.scalars(select(Follower).where(Follower.account_id == account_id)))


def start_login(server, slug: str, session: requests.Session, user: str) -> str:
    """Run the login up to WeChat's redirect back; return the callback URL (not yet visited)."""
    to_wechat = session.get(login_url(server.url, slug, "/healthz"), allow_redirects=False)
    assert to_wechat.status_code == 302
    back = session.get(_with_sim_user(to_wechat.headers["Location"], user), allow_redirects=False)
    assert back.status_code == 302 and back.headers["Location"].startswith(server.url + "/wechat/oauth/callback?")
    return back.headers["Location"]


def test_a_new_follower_is_logged_in_and_remembered(app, sim_live_server, simulator, campaign):
    session = requests.Session()
    landed = login_through_simulator(session, sim_live_server.url, "spring", "alice", next_path="/healthz")
    assert landed.status_code == 200 and landed.url == sim_live_server.url + "/healthz"
    openid = simulator.state.user(campaign.account.app_id, "alice").openid
    assert logged_in_openid(app, session, campaign.account_id) == openid
    [follower] = followers(campaign.account_id)
    assert follower.openid == openid and follower.unionid and follower.nickname is None


def test_the_authorize_request_carries_the_campaign_scope_and_our_callback(sim_live_server, campaign):
    response = requests.get(login_url(sim_live_server.url, "spring"), allow_redirects=False)
    target = urlsplit(response.headers["Location"])
    query = parse_qs(target.query)
    assert f"{target.scheme}://{target.netloc}{target.path}".endswith("/connect/oauth2/authorize")
    assert query["scope"] == ["snsapi_base"] and query["response_type"] == ["code"]
    assert query["redirect_uri"] == [sim_live_server.url + "/wechat/oauth/callback"]
    assert response.headers["Location"].endswith("#wechat_redirect")


def test_a_returning_follower_keeps_one_identity(app, sim_live_server, simulator, campaign):
    first, second = requests.Session(), requests.Session()
    login_through_simulator(first, sim_live_server.url, "spring", "bob", next_path="/healthz")
    login_through_simulator(second, sim_live_server.url, "spring", "bob", next_path="/healthz")
    assert logged_in_openid(app, first, campaign.account_id) == logged_in_openid(app, second, campaign.account_id)
    assert len(followers(campaign.account_id)) == 1


def test_snsapi_userinfo_stores_nickname_and_avatar(app, sim_live_server, simulator, campaign):
    campaign.oauth_scope = "snsapi_userinfo"
    db.session.commit()
    session = requests.Session()
    login_through_simulator(session, sim_live_server.url, "spring", "小明", next_path="/healthz")
    [follower] = followers(campaign.account_id)
    assert follower.nickname == "小明" and follower.avatar_url.startswith("https://")


def test_a_replayed_code_never_logs_in(app, sim_live_server, simulator, campaign):
    session = requests.Session()
    callback = start_login(sim_live_server, "spring", session, "carol")
    assert session.get(callback).status_code == 200
    # The same code again, under a fresh state of the same browser: refused before WeChat is asked.
    attacker = requests.Session()
    fresh = start_login(sim_live_server, "spring", attacker, "mallory")
    code = parse_qs(urlsplit(callback).query)["code"][0]
    state = parse_qs(urlsplit(fresh).query)["state"][0]
    replay = attacker.get(f"{sim_live_server.url}/wechat/oauth/callback?code={code}&state={state}")
    assert replay.status_code == 400 and "text/html" in replay.headers["Content-Type"]
    assert "already been used" in replay.text
    assert logged_in_openid(app, attacker, campaign.account_id) is None


def test_wechat_refusing_a_used_code_ends_on_a_clear_page(app, sim_live_server, simulator, campaign):
    session = requests.Session()
    callback = start_login(sim_live_server, "spring", session, "dave")
    code = parse_qs(urlsplit(callback).query)["code"][0]
    with simulator.state.lock:
        simulator.state.codes[code].used = True  # someone else exchanged it first
    page = session.get(callback)
    assert page.status_code == 400 and "expired or was already used" in page.text
    assert logged_in_openid(app, session, campaign.account_id) is None


def test_an_expired_code_ends_on_a_clear_page(app, sim_live_server, simulator, campaign):
    session = requests.Session()
    callback = start_login(sim_live_server, "spring", session, "erin")
    simulator.state.clock = lambda: time.time() + 301  # past the five minutes a code lives
    page = session.get(callback)
    assert page.status_code == 400 and "expired" in page.text
    assert logged_in_openid(app, session, campaign.account_id) is None


@pytest.mark.parametrize("query", ["code=abc&state=forged", "code=abc", "state="])
def test_a_forged_or_missing_state_never_logs_in(app, sim_live_server, campaign, query):
    session = requests.Session()
    session.get(login_url(sim_live_server.url, "spring"), allow_redirects=False)
    page = session.get(f"{sim_live_server.url}/wechat/oauth/callback?{query}")
    assert page.status_code == 400 and "<h1>" in page.text
    assert logged_in_openid(app, session, campaign.account_id) is None


def test_the_state_is_bound_to_the_browser_that_started_the_login(app, sim_live_server, campaign):
    victim, attacker = requests.Session(), requests.Session()
    callback = start_login(sim_live_server, "spring", attacker, "mallory")
    page = victim.get(callback)
    assert page.status_code == 400
    assert logged_in_openid(app, victim, campaign.account_id) is None


@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:alert(1)"]
)
def test_a_return_address_outside_the_app_is_refused(sim_live_server, campaign, target):
    response = requests.get(f"{sim_live_server.url}/c/spring/login", params={"next": target}, allow_redirects=False)
    assert response.status_code == 400 and "outside the campaign" in response.text


def test_an_unknown_campaign_is_not_found(sim_live_server):
    response = requests.get(f"{sim_live_server.url}/c/nope/login", allow_redirects=False)
    assert response.status_code == 404
