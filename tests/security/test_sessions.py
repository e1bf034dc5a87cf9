"""Signed session cookies: tampering logs nobody in, logins do not inherit a planted session,
and the OAuth redirect address cannot be pointed elsewhere."""

from __future__ import annotations

import base64
import json
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from itsdangerous import URLSafeTimedSerializer

from extensions import db
from tests.console.conftest import PASSWORD
from tests.draws.helpers import published_with_prizes
from tests.factories import StaffFactory
from tests.wechat.helpers import login_through_simulator, login_url
from tests.wechat.test_login import logged_in_openid


@pytest.fixture
def campaign(app, services):
    return published_with_prizes(db.session, services, slug="spring", prizes=[("gold", 10, 5, "all", "none")])


def cookie_for(app, data: dict) -> str:
    return app.session_interface.get_signing_serializer(app).dumps(data)


def with_payload(cookie: str, data: dict) -> str:
    """``cookie`` with its payload swapped for ``data`` and its signature kept."""
    _payload, timestamp, signature = cookie.rsplit(".", 2)
    raw = base64.urlsafe_b64encode(json.dumps(data, separators=(",", ":")).encode()).rstrip(b"=").decode()
    return f"{raw}.{timestamp}.{signature}"


def signed_elsewhere(app, data: dict) -> str:
    """``data`` signed the way Flask signs sessions, but with a key that is not ours."""
    settings = app.session_interface
    return URLSafeTimedSerializer(
        "guessed-secret",
        salt=settings.salt,
        serializer=settings.serializer,
        signer_kwargs={"key_derivation": settings.key_derivation, "digest_method": settings.digest_method},
    ).dumps(data)


def test_a_tampered_or_foreign_follower_cookie_is_treated_as_logged_out(app, campaign):
    key = f"follower:{campaign.account_id}"
    genuine = cookie_for(app, {key: "o-mallory"})
    client = app.test_client()
    client.set_cookie("session", genuine)
    assert client.get("/c/spring/me").status_code == 200
    for forged in (
        with_payload(genuine, {key: "o-victim"}),
        signed_elsewhere(app, {key: "o-victim"}),
        genuine[:-2] + ("AA" if not genuine.endswith("AA") else "BB"),
    ):
        client.set_cookie("session", forged)
        answer = client.get("/c/spring/me", headers={"Accept": "application/json"})
        assert answer.status_code == 401 and answer.get_json()["error"]["code"] == "login_required"
        assert client.get("/c/spring/prizes").status_code == 401


def test_a_tampered_staff_cookie_is_treated_as_signed_out(app):
    operator, admin = StaffFactory(role="operator"), StaffFactory(role="admin")
    db.session.commit()
    genuine = cookie_for(app, {"staff_id": operator.id})
    client = app.test_client()
    client.set_cookie("session", genuine)
    assert client.get("/console/staff").status_code == 403  # signed in, as an operator
    for forged in (with_payload(genuine, {"staff_id": admin.id}), signed_elsewhere(app, {"staff_id": admin.id})):
        client.set_cookie("session", forged)
        assert client.get("/console/staff", headers={"Accept": "application/json"}).status_code == 401
        assert client.get("/console/staff").headers["Location"].startswith("/console/sign-in")


def test_a_console_sign_in_starts_a_fresh_session(app, campaign):
    marketer = StaffFactory(role="marketer", email="m@example.com", password_hash=_hash())
    db.session.commit()
    # Someone plants a session of their own (a follower login, anything) before the staff member signs in.
    planted = cookie_for(app, {f"follower:{campaign.account_id}": "o-mallory", "planted": True})
    client = app.test_client()
    client.set_cookie("session", planted)
    assert client.post("/console/sign-in", data={"email": "m@example.com", "password": PASSWORD}).status_code == 302
    signed_in = client.get_cookie("session").value
    data = app.session_interface.get_signing_serializer(app).loads(signed_in)
    assert data["staff_id"] == marketer.id and "planted" not in data and f"follower:{campaign.account_id}" not in data
    # Whoever kept the planted cookie is still signed out.
    attacker = app.test_client()
    attacker.set_cookie("session", planted)
    assert attacker.get("/console/", headers={"Accept": "application/json"}).status_code == 401


def _hash() -> str:
    from campaigns.staff.services import hash_password

    return hash_password(PASSWORD)


def test_a_follower_login_on_a_planted_session_is_not_shared_with_the_planter(app, sim_live_server, campaign):
    attacker = requests.Session()
    attacker.get(login_url(sim_live_server.url, "spring"), allow_redirects=False)
    planted = attacker.cookies.get("session")
    victim = requests.Session()
    victim.cookies.update(attacker.cookies)
    login_through_simulator(victim, sim_live_server.url, "spring", "victim")
    victim_openid = logged_in_openid(app, victim, campaign.account_id)
    assert victim_openid
    assert victim.cookies.get("session") != planted
    # The planter's copy of the cookie stays logged out: the login lives only in the victim's new cookie.
    assert logged_in_openid(app, attacker, campaign.account_id) is None
    assert attacker.get(f"{sim_live_server.url}/c/spring/me").status_code == 401


@pytest.mark.parametrize(
    "query", [{"redirect_uri": "https://evil.example/cb"}, {"next": "/c/spring/", "redirect_uri": "//evil.example"}]
)
def test_the_oauth_redirect_uri_is_always_our_callback(app, campaign, query):
    client = app.test_client()
    answer = client.get(
        "/c/spring/login", query_string=query, headers={"Host": "evil.example", "X-Forwarded-Host": "evil.example"}
    )
    assert answer.status_code == 302
    authorize = parse_qs(urlsplit(answer.headers["Location"]).query)
    assert authorize["redirect_uri"] == [app.config["PUBLIC_URL"] + "/wechat/oauth/callback"]
    assert "evil" not in answer.headers["Location"]
