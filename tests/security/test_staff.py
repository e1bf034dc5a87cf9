"""Every staff form refuses a POST without its CSRF token, and every write route refuses the roles
it is not for; routes are enumerated from the app, so a new one must be placed in a table here."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from app import create_app
from campaigns.catalog.models import Campaign
from campaigns.coupons.stores import create_link, create_store
from campaigns.staff.models import AuditEntry
from campaigns.staff.services import issue_token
from extensions import db
from tests.console.conftest import sign_in
from tests.factories import NOW, CampaignFactory, OfficialAccountFactory, PrizeTierFactory, StaffFactory

# Writes that need no CSRF token, and why: a cross-site form cannot make them count.
CSRF_EXEMPT = {
    "games.draw": "JSON content type and an Idempotency-Key header, which a form cannot send",
    "games.client_seed": "PUT with a JSON content type",
    "wechat.callback": "WeChat's signature over token, timestamp and nonce",
}
# Writes an operator may make; every other write under /console, /redeem and /api is 403 for them.
OPERATOR_WRITES = {
    "console.sign_in",
    "console.sign_out",
    "console.add_token",
    "console.revoke",
    "redeem.lookup",
    "redeem.confirm",
    "api.preview",
    # A store's link is the credential there, whoever holds it (tests/coupons/test_redeem.py).
    "redeem.link_lookup",
    "redeem.link_confirm",
}
ADMIN_WRITES = {"console.add_staff", "console.update_staff", "console.add_account"}
STAFF_PREFIXES = ("/console/", "/redeem/", "/api/")


@pytest.fixture
def world(app):
    """An account with a draft campaign, a store with a link, and staff of every role."""
    account = OfficialAccountFactory(slug="brand")
    campaign = CampaignFactory(account=account, slug="draft-one")
    PrizeTierFactory(campaign=campaign, tier="gold", coupon_kind="code")
    PrizeTierFactory(campaign=campaign, tier="none", is_fallback=True, stock=0)
    store = create_store(db.session, account, "Store A")
    link, token = create_link(db.session, store, campaign=campaign, label="counter")
    staff = {role: StaffFactory(role=role, email=f"{role}@example.com") for role in ("admin", "marketer", "operator")}
    db.session.flush()
    from campaigns.staff.models import StaffAccount

    for role in ("marketer", "operator"):
        db.session.add(StaffAccount(staff_id=staff[role].id, account_id=account.id))
    db.session.commit()
    args = {
        "slug": "draft-one",
        "action": "pause",
        "tier": "gold",
        "staff_id": staff["operator"].id,
        "token_id": 1,
        "store_id": store.id,
        "link_id": link.id,
        "token": token,
        "account_slug": "brand",
        "name": "0" * 32 + ".png",
        "filename": "css/base.css",
        "code": "NOSUCHCODE01",
        "claim_id": 1,
        "decision": "approve",
    }
    return {"campaign": campaign, "staff": staff, "args": args}


def writes(app, args: dict) -> list[tuple[str, str, str]]:
    """Every (endpoint, method, path) that changes something, with sample arguments."""
    found = []
    for rule in app.url_map.iter_rules():
        for method in sorted(rule.methods & {"POST", "PUT", "PATCH", "DELETE"}):
            found.append(
                (
                    rule.endpoint,
                    method,
                    app.url_map.bind("localhost").build(rule.endpoint, {a: args[a] for a in rule.arguments}),
                )
            )
    return sorted(found)


def state(world) -> tuple:
    db.session.expire_all()
    return (
        db.session.scalar(select(func.count()).select_from(AuditEntry)),
        db.session.scalar(select(Campaign.status).where(Campaign.slug == "draft-one")),
    )


def test_every_staff_write_without_the_csrf_token_is_refused(database_url, redis_server, app, world):
    protected = create_app({**app.config, "WTF_CSRF_ENABLED": True})
    client = protected.test_client()
    with client.session_transaction() as session:
        session["staff_id"] = world["staff"]["admin"].id
    before = state(world)
    unprotected = set()
    for endpoint, method, path in writes(protected, world["args"]):
        answer = client.open(path, method=method, data={"name": "x", "email": "a@b.cd", "role": "admin"})
        if "CSRF" not in answer.get_data(as_text=True):
            unprotected.add(endpoint)
        else:
            assert answer.status_code == 400, path
    assert unprotected - {e for e in unprotected if e.startswith("api.")} == set(CSRF_EXEMPT)
    assert state(world) == before
    # The same forms go through with the page's token (here: signing out).
    page = client.get("/console/tokens").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    assert client.post("/console/sign-out", data={"csrf_token": token}).status_code == 302


def test_the_api_acts_only_for_bearer_tokens_never_for_the_browser_session(client, world):
    sign_in(client, world["staff"]["admin"])
    for endpoint, method, path in writes(client.application, world["args"]):
        if endpoint.startswith("api."):
            answer = client.open(path, method=method, json={})
            assert answer.status_code == 401, path
    assert state(world)[1] == "draft"


def test_the_exempt_follower_writes_refuse_what_a_cross_site_form_can_send(client, world):
    campaign = world["campaign"]
    campaign.status = "live"
    db.session.commit()
    with client.session_transaction() as session:
        session[f"follower:{campaign.account_id}"] = "o-victim"
    form = {"client_seed": "attacker-chosen-seed"}
    assert client.post("/c/draft-one/draw", data=form, headers={"Idempotency-Key": "cross-site-1"}).status_code == 400
    assert client.put("/c/draft-one/client-seed", data=form).status_code == 400
    assert client.post("/c/draft-one/draw", data=form, content_type="text/plain").status_code == 400


@pytest.mark.parametrize("role", ["operator", "marketer"])
def test_every_write_beyond_the_role_is_403_and_changes_nothing(client, world, role):
    sign_in(client, world["staff"][role])
    before = state(world)
    checked = []
    for endpoint, method, path in writes(client.application, world["args"]):
        if not path.startswith(STAFF_PREFIXES) or endpoint.startswith("api."):
            continue
        refused = endpoint not in OPERATOR_WRITES if role == "operator" else endpoint in ADMIN_WRITES
        if refused:
            answer = client.open(
                path,
                method=method,
                data={"name": "x", "email": "a@b.cd", "role": "admin"},
                headers={"Accept": "application/json"},
            )
            assert answer.status_code == 403, (role, path, answer.status_code)
            checked.append(endpoint)
    assert state(world) == before
    assert ("console.publish" in checked) == (role == "operator") and "console.add_staff" in checked


@pytest.mark.parametrize("role", ["operator", "marketer"])
def test_every_api_write_beyond_the_tokens_role_is_403(client, world, role):
    owner = world["staff"]["marketer"]  # a marketer's token narrowed to operator acts as an operator
    _, plain = issue_token(db.session, owner, "test", role, NOW)
    db.session.commit()
    headers = {"Authorization": f"Bearer {plain}"}
    for endpoint, method, path in writes(client.application, world["args"]):
        if endpoint.startswith("api.") and endpoint not in OPERATOR_WRITES:
            answer = client.open(path, method=method, json={}, headers=headers)
            if role == "operator":
                assert answer.status_code == 403, path
            else:
                assert answer.status_code != 403, path
    assert state(world)[1] == "draft"


@pytest.fixture
def theirs(world):
    """Another account's published campaign, store and staff link."""
    other = OfficialAccountFactory(slug="other-brand")
    campaign = CampaignFactory(account=other, slug="theirs", status="live", published_at=NOW)
    store = create_store(db.session, other, "Their store")
    link, _ = create_link(db.session, store, label="their counter")
    db.session.commit()
    return {"campaign": campaign, "store": store, "link": link}


@pytest.mark.parametrize("role", ["operator", "marketer"])
def test_staff_cannot_read_another_accounts_results_or_exports(client, world, theirs, role):
    sign_in(client, world["staff"][role])
    for path in (
        "/console/campaigns/theirs/results",
        "/console/accounts/other-brand/compare",
        "/api/v1/campaigns/theirs/stats",
        "/api/v1/campaigns/theirs/stats.csv",
        "/api/v1/campaigns/theirs/events.csv",
        "/api/v1/campaigns/theirs/events.jsonl",
    ):
        assert client.get(path, headers={"Accept": "application/json"}).status_code == 403, path
    assert client.get("/console/campaigns/draft-one/results").status_code == 200


def test_a_marketer_cannot_manage_another_accounts_stores(client, world, theirs):
    sign_in(client, world["staff"]["marketer"])
    store, link = theirs["store"], theirs["link"]
    other_account = store.account_id
    assert client.post("/redeem/stores", data={"account_id": other_account, "name": "Planted"}).status_code == 403
    assert client.post(f"/redeem/stores/{store.id}/links", data={"label": "mine now"}).status_code == 403
    assert client.post(f"/redeem/links/{link.id}/revoke").status_code == 403
    assert (
        client.post(
            f"/redeem/stores/{world['args']['store_id']}/links", data={"campaign_id": theirs["campaign"].id}
        ).status_code
        == 404
    )
    db.session.expire_all()
    assert link.revoked_at is None and len(store.account.name) > 0
    page = client.get("/redeem/stores").get_data(as_text=True)
    assert "Store A" in page and "Their store" not in page


def test_an_operator_cannot_redeem_at_another_accounts_store(client, world, theirs):
    sign_in(client, world["staff"]["operator"])
    page = client.get("/redeem/").get_data(as_text=True)
    assert "Store A" in page and "Their store" not in page
    answer = client.post("/redeem/lookup", json={"code": "ANYCODE0001", "store_id": theirs["store"].id})
    assert answer.status_code == 404 and answer.get_json()["error"]["message"] == "Choose your store first."
