"""The JSON API: token auth, roles, the campaign document round trip, every answer true to the OpenAPI document."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from campaigns.catalog.models import Campaign
from campaigns.staff.services import issue_token
from extensions import db
from tests.console.conftest import campaign_doc
from tests.console.openapi_check import check
from tests.factories import NOW


def token_for(staff, role=None) -> dict:
    _, plain = issue_token(db.session, staff, "test", role or staff.role, NOW)
    db.session.commit()
    return {"Authorization": f"Bearer {plain}"}


@pytest.fixture
def marketer_token(marketer):
    return token_for(marketer)


def test_every_api_route_is_documented(app, spec):
    routes = set()
    for rule in app.url_map.iter_rules():
        # The API blueprint's routes and the exports under /api/v1 (web/results.py) alike.
        if rule.rule.startswith("/api/v1/") and rule.endpoint != "api.openapi":
            path = re.sub(r"<(?:[a-z]+(?:\([^)]*\))?:)?([a-z_]+)>", r"{\1}", rule.rule.removeprefix("/api/v1"))
            for method in rule.methods - {"HEAD", "OPTIONS"}:
                routes.add((path, method.lower()))
    documented = {(path, method) for path, ops in spec["paths"].items() for method in ops}
    assert routes == documented


def test_no_token_no_cookie_access(client, marketer, spec):
    with client.session_transaction() as session:
        session["staff_id"] = marketer.id
    response = client.get("/api/v1/campaigns")
    assert response.status_code == 401
    check(spec, client.get("/api/v1/campaigns", headers={"Authorization": "Bearer wct_nope"}), "/campaigns", "get")


def test_document_round_trip_and_lifecycle(client, spec, marketer_token, frozen):
    created = check(
        spec, client.post("/api/v1/campaigns", json=campaign_doc(), headers=marketer_token), "/campaigns", "post"
    )
    assert created["status"] == "draft"
    got = check(spec, client.get("/api/v1/campaigns/spring-wheel", headers=marketer_token), "/campaigns/{slug}", "get")
    doc = got["document"]
    again = check(
        spec, client.put("/api/v1/campaigns/spring-wheel", json=doc, headers=marketer_token), "/campaigns/{slug}", "put"
    )
    assert again["document"] == doc
    listed = check(spec, client.get("/api/v1/campaigns", headers=marketer_token), "/campaigns", "get")
    assert [c["slug"] for c in listed["campaigns"]] == ["spring-wheel"]
    preview = check(
        spec,
        client.post(
            "/api/v1/campaigns/spring-wheel/preview",
            json={"weekday_plays": 100, "weekend_plays": 200},
            headers=marketer_token,
        ),
        "/campaigns/{slug}/preview",
        "post",
    )
    assert preview["tiers"][0]["probability"] == pytest.approx(0.05)
    refused = check(
        spec,
        client.post("/api/v1/campaigns/spring-wheel/pause", headers=marketer_token),
        "/campaigns/{slug}/{action}",
        "post",
    )
    assert refused["error"]["code"] == "conflict"
    audit = check(spec, client.get("/api/v1/audit", headers=marketer_token), "/audit", "get")
    assert [e["action"] for e in audit["entries"]] == ["campaign.update", "campaign.create"]


def test_invalid_document_lists_every_field(client, spec, marketer_token):
    doc = campaign_doc(slug="UPPER", game="pinball")
    doc["prizes"][0]["weight"] = -1
    body = check(spec, client.post("/api/v1/campaigns", json=doc, headers=marketer_token), "/campaigns", "post")
    assert set(body["error"]["fields"]) >= {"slug", "game", "prizes[0].weight"}
    assert db.session.scalar(select(Campaign)) is None


def test_operator_token_reads_but_cannot_write(client, spec, operator, marketer_token):
    client.post("/api/v1/campaigns", json=campaign_doc(), headers=marketer_token)
    headers = token_for(operator)
    check(spec, client.get("/api/v1/campaigns/spring-wheel", headers=headers), "/campaigns/{slug}", "get")
    for path in ("/campaigns/spring-wheel/publish", "/campaigns/spring-wheel/archive", "/campaigns/spring-wheel/end"):
        template = "/campaigns/{slug}/" + ("{action}" if path.endswith("end") else path.rsplit("/", 1)[1])
        body = check(spec, client.post(f"/api/v1{path}", headers=headers), template, "post")
        assert body["error"]["code"] == "forbidden", body


def test_a_token_scoped_to_operator_cannot_write_even_for_an_admin(client, spec, admin):
    headers = token_for(admin, "operator")
    response = client.post("/api/v1/campaigns", json=campaign_doc(), headers=headers)
    assert response.status_code == 403


def test_revoked_token_stops_working(client, marketer):
    from campaigns.staff.services import revoke_token

    headers = token_for(marketer)
    assert client.get("/api/v1/campaigns", headers=headers).status_code == 200
    token = marketer.id and db.session.scalars(select(__import__("campaigns").models.ApiToken)).one()
    revoke_token(db.session, marketer, token.id, NOW)
    db.session.commit()
    assert client.get("/api/v1/campaigns", headers=headers).status_code == 401


def test_marketer_of_another_account_sees_nothing(client, spec, marketer_token):
    from tests.console.conftest import _staff

    client.post("/api/v1/campaigns", json=campaign_doc(), headers=marketer_token)
    stranger = token_for(_staff("marketer", None, "stranger@example.com"))
    listed = check(spec, client.get("/api/v1/campaigns", headers=stranger), "/campaigns", "get")
    assert listed["campaigns"] == []
    assert client.get("/api/v1/campaigns/spring-wheel", headers=stranger).status_code == 403
    assert client.post("/api/v1/campaigns", json=campaign_doc("other"), headers=stranger).status_code == 403


def test_code_upload_report(client, spec, marketer_token):
    doc = campaign_doc()
    doc["prizes"][0]["coupon"] = "code"
    client.post("/api/v1/campaigns", json=doc, headers=marketer_token)
    csv_body = "code\nAAAAAA1\n\nAAAAAA1\nbad!\nBBBBBB2\n"
    path = "/api/v1/campaigns/spring-wheel/codes/gold"
    refused = check(
        spec, client.post(path, data=csv_body, headers=marketer_token), "/campaigns/{slug}/codes/{tier}", "post"
    )
    assert refused["imported"] == 0
    assert [(e["line"], e["message"]) for e in refused["errors"]] == [
        (3, "The line is blank."),
        (4, "Duplicate of line 2."),
        (5, "A code is 6 to 64 letters, digits, '-' or '_'."),
    ]
    done = check(
        spec,
        client.post(path + "?skip_errors=true", data=csv_body, headers=marketer_token),
        "/campaigns/{slug}/codes/{tier}",
        "post",
    )
    assert done["imported"] == 2
