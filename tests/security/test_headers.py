"""Security headers on every page the app serves, HSTS behind TLS, and the session cookie's flags."""

from __future__ import annotations

import pytest

import config
from app import create_app
from extensions import db
from tests.factories import CampaignFactory, StaffFactory
from tests.games.helpers import published

SAMPLE_ARGS = {
    "slug": "spring",
    "code": "CODE00000001",
    "token": "not-a-token",
    "account_slug": "brand-x",
    "name": "0123456789abcdef0123456789abcdef.png",
    "filename": "css/base.css",
    "action": "pause",
    "staff_id": 1,
    "token_id": 1,
    "store_id": 1,
    "link_id": 1,
    "tier": "gold",
}


def directives(csp: str) -> dict[str, list[str]]:
    """A Content-Security-Policy as {directive: sources}."""
    parts = (d.split() for d in csp.split(";") if d.strip())
    return {p[0]: p[1:] for p in parts}


def get_paths(app) -> list[str]:
    """Every GET route of the app with sample arguments."""
    paths = []
    for rule in app.url_map.iter_rules():
        if "GET" in rule.methods:
            missing = set(rule.arguments) - set(SAMPLE_ARGS)
            assert not missing, f"give {rule.rule} a sample value for {missing}"
            paths.append(
                app.url_map.bind("localhost").build(rule.endpoint, {a: SAMPLE_ARGS[a] for a in rule.arguments})
            )
    return sorted(set(paths))


def assert_secure_headers(response, path: str) -> None:
    csp = directives(response.headers.get("Content-Security-Policy", ""))
    scripts = csp.get("script-src", csp.get("default-src"))
    assert scripts is not None and "'unsafe-inline'" not in scripts and "'unsafe-eval'" not in scripts, path
    assert csp.get("frame-ancestors") == ["'none'"], path
    assert response.headers["X-Content-Type-Options"] == "nosniff", path
    assert response.headers["Referrer-Policy"] in ("same-origin", "no-referrer", "strict-origin-when-cross-origin"), (
        path
    )
    assert response.headers["X-Frame-Options"] == "DENY", path


@pytest.mark.parametrize("who", ["anonymous", "signed-in"])
def test_every_get_route_answers_with_the_security_headers(app, client, who, tmp_path):
    campaign = CampaignFactory(slug="spring", status="live")
    admin = StaffFactory(role="admin")
    db.session.commit()
    # Pages that would ask WeChat (the follow QR code) ask a closed loopback port instead.
    closed = {"WECHAT_API_BASE": "http://127.0.0.1:9", "WECHAT_MP_BASE": "http://127.0.0.1:9"}
    app.config.update(closed)
    app.extensions["services"].settings.update(closed)
    app.config["MEDIA_DIR"] = str(tmp_path)
    (tmp_path / SAMPLE_ARGS["name"]).write_bytes(b"\x89PNG\r\n\x1a\n")  # an uploaded image, served with its own CSP
    if who == "signed-in":
        with client.session_transaction() as session:
            session.update({"staff_id": admin.id, f"follower:{campaign.account_id}": "o-follower"})
    paths = get_paths(app)
    assert {"/c/spring/", "/console/", "/healthz", "/api/v1/openapi.json", "/redeem/"} <= set(paths)
    for path in paths:
        response = client.get(path, headers={"User-Agent": "MicroMessenger"})
        assert response.status_code != 500, path
        if path.startswith("/console/media/"):
            assert response.status_code == 200 and "sandbox" in response.headers["Content-Security-Policy"]
        assert_secure_headers(response, path)
        assert "Strict-Transport-Security" not in response.headers, path


def test_error_pages_and_posts_carry_the_headers_too(client, services):
    campaign = published(services)
    answers = [
        (client.get("/no/such/page"), 404),
        (client.post("/healthz"), 405),
        (client.post("/c/nope/draw", json={}), 404),
        (client.post(f"/c/{campaign.slug}/draw", json={}), 401),  # no follower session
    ]
    assert [(r.request.path, r.status_code) for r, _ in answers] == [(r.request.path, s) for r, s in answers]
    for response, _ in answers:
        assert_secure_headers(response, response.request.path)


def test_hsts_is_sent_when_a_trusted_proxy_says_the_request_came_over_tls(database_url, redis_server, app):
    behind_proxy = create_app({**app.config, "PROXY_HOPS": 1})
    client = behind_proxy.test_client()
    over_tls = client.get("/healthz", headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": "198.51.100.1"})
    assert over_tls.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert "Strict-Transport-Security" not in client.get("/healthz").headers
    # Without a trusted proxy, the same header from the client is not believed.
    untrusted = app.test_client().get("/healthz", headers={"X-Forwarded-Proto": "https"})
    assert "Strict-Transport-Security" not in untrusted.headers


def test_production_always_sends_hsts(app):
    app.config["APP_ENV"] = "production"
    assert "max-age=31536000" in app.test_client().get("/healthz").headers["Strict-Transport-Security"]


def _session_cookie(app) -> str:
    campaign = CampaignFactory(slug="spring", status="live")
    db.session.commit()
    response = app.test_client().get(f"/c/{campaign.slug}/login")
    assert response.status_code == 302
    [cookie] = [value for value in response.headers.getlist("Set-Cookie") if value.startswith("session=")]
    return cookie


def test_the_session_cookie_is_httponly_and_samesite_lax(app):
    flags = [part.strip() for part in _session_cookie(app).split(";")]
    assert "HttpOnly" in flags and "SameSite=Lax" in flags and "Path=/" in flags
    assert "Secure" not in flags  # served over plain HTTP in the tests


@pytest.mark.parametrize(
    "environ",
    [
        {"APP_ENV": "production", "SECRET_KEY": "a real secret"},
        {"APP_ENV": "test", "PUBLIC_URL": "https://campaigns.example.com"},
    ],
    ids=["production", "public-url-over-tls"],
)
def test_the_session_cookie_is_secure_in_production_and_whenever_the_site_is_on_tls(app, environ, tmp_path):
    settings = config.load(environ, instance_path=tmp_path)
    assert settings["SESSION_COOKIE_SECURE"] is True
    app.config["SESSION_COOKIE_SECURE"] = settings["SESSION_COOKIE_SECURE"]
    flags = [part.strip() for part in _session_cookie(app).split(";")]
    assert {"Secure", "HttpOnly", "SameSite=Lax"} <= set(flags)


@pytest.mark.parametrize("name", ["PROXY_HOPS", "DRAW_IP_LIMIT"])
def test_the_security_counts_must_be_whole_numbers_naming_the_variable(name, tmp_path):
    assert config.load({name: "3"}, instance_path=tmp_path)[name] == 3
    with pytest.raises(config.ConfigError, match=name):
        config.load({name: "-1"}, instance_path=tmp_path)
