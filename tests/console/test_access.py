"""Sign-in, throttling, sessions, CSRF, and every role rule enforced on the server."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from app import create_app
from campaigns.catalog.models import Campaign
from extensions import db
from tests.console.conftest import PASSWORD, campaign_doc
from tests.factories import CampaignFactory, PrizeTierFactory


def test_sign_in_with_the_right_password(client, marketer):
    response = client.post("/console/sign-in", data={"email": "Marketer@example.com", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/console/").status_code == 200
    with client.session_transaction() as session:
        assert session.permanent and session["staff_id"] == marketer.id


def test_wrong_passwords_are_throttled_even_when_the_right_one_follows(client, marketer):
    for _ in range(5):
        assert client.post("/console/sign-in", data={"email": marketer.email, "password": "guess"}).status_code == 400
    response = client.post("/console/sign-in", data={"email": marketer.email, "password": PASSWORD})
    assert response.status_code == 429
    assert "Too many failed sign-ins" in response.get_data(as_text=True)


def test_pages_send_people_to_sign_in_and_scripts_get_401(client):
    response = client.get("/console/campaigns/new")
    assert response.status_code == 302 and "/console/sign-in?next=" in response.headers["Location"]
    assert client.get("/console/", headers={"Accept": "application/json"}).status_code == 401


def test_sign_in_does_not_redirect_off_site(client, marketer):
    response = client.post(
        "/console/sign-in?next=//evil.example/x", data={"email": marketer.email, "password": PASSWORD}
    )
    assert response.headers["Location"] == "/console/"


def test_a_disabled_account_cannot_sign_in_or_keep_its_session(client, marketer):
    with client.session_transaction() as session:
        session["staff_id"] = marketer.id
    marketer.active = False
    db.session.commit()
    assert client.get("/console/").status_code == 302
    assert client.post("/console/sign-in", data={"email": marketer.email, "password": PASSWORD}).status_code == 400


@pytest.fixture
def draft(account):
    campaign = CampaignFactory(account=account, slug="draft-one")
    PrizeTierFactory(campaign=campaign, tier="none", is_fallback=True, stock=0)
    db.session.commit()
    return campaign


MARKETER_POSTS = [
    "/console/campaigns/new",
    "/console/campaigns/draft-one/edit",
    "/console/campaigns/draft-one/publish",
    "/console/campaigns/draft-one/pause",
    "/console/campaigns/draft-one/resume",
    "/console/campaigns/draft-one/end",
    "/console/campaigns/draft-one/top-up",
    "/console/campaigns/draft-one/duplicate",
    "/console/campaigns/draft-one/archive",
    "/console/campaigns/draft-one/codes",
    "/console/preview",
    "/console/media",
]
ADMIN_POSTS = ["/console/staff", "/console/accounts", "/console/staff/1"]


@pytest.mark.parametrize("path", MARKETER_POSTS + ADMIN_POSTS)
def test_an_operator_post_to_a_marketer_or_admin_action_is_403(as_operator, draft, path):
    response = as_operator.post(path, data={"name": "x"})
    assert response.status_code == 403
    assert db.session.scalar(select(Campaign).where(Campaign.slug == "draft-one")).status == "draft"


@pytest.mark.parametrize("path", ADMIN_POSTS)
def test_a_marketer_post_to_an_admin_action_is_403(as_marketer, path):
    assert as_marketer.post(path, data={"email": "a@b.cd", "role": "admin"}).status_code == 403


def test_operator_pages_hide_nothing_they_can_read(as_operator, draft):
    assert as_operator.get("/console/campaigns/draft-one").status_code == 200
    assert as_operator.get("/console/campaigns/draft-one/edit").status_code == 403
    assert as_operator.get("/console/audit").status_code == 403


def test_a_marketer_cannot_touch_another_accounts_campaign(as_marketer):
    other = CampaignFactory(slug="not-mine")
    db.session.commit()
    assert as_marketer.get("/console/campaigns/not-mine").status_code == 403
    assert as_marketer.post("/console/campaigns/not-mine/archive").status_code == 403
    assert not db.session.get(Campaign, other.id).archived


def test_admin_adds_staff_with_accounts_and_it_is_audited(as_admin, account):
    response = as_admin.post(
        "/console/staff",
        data={"email": "new@example.com", "role": "operator", "accounts": ["brand"], "password": "long enough pass"},
    )
    assert response.status_code == 302
    page = as_admin.get("/console/audit").get_data(as_text=True)
    assert "staff.create" in page and "new@example.com" in page


def test_a_form_post_without_the_csrf_token_is_refused(database_url, redis_server, marketer):
    app = create_app(
        {
            "TESTING": True,
            "APP_ENV": "test",
            "SQLALCHEMY_DATABASE_URI": db.engine.url,
            "REDIS_URL": redis_server.url,
            "SECRET_KEY": "test-secret",
        }
    )
    client = app.test_client()
    with app.app_context():
        refused = client.post("/console/sign-in", data={"email": marketer.email, "password": PASSWORD})
        assert refused.status_code == 400 and "CSRF" in refused.get_data(as_text=True)
        page = client.get("/console/sign-in").get_data(as_text=True)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        accepted = client.post(
            "/console/sign-in", data={"email": marketer.email, "password": PASSWORD, "csrf_token": token}
        )
        assert accepted.status_code == 302
        with client.session_transaction() as session:
            session["staff_id"] = marketer.id
        assert client.post("/console/campaigns/new", data=campaign_doc()).status_code == 400
        db.session.remove()


def test_the_campaign_page_links_to_its_game_rules_fairness_and_results(as_operator, draft):
    html = as_operator.get("/console/campaigns/draft-one").get_data(as_text=True)
    for path in (
        "/c/draft-one/",
        "/c/draft-one/rules",
        "/c/draft-one/fairness",
        "/console/campaigns/draft-one/results",
    ):
        assert f'href="{path}"' in html
