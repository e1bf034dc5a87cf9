"""The OpenAPI document states what the server enforces, and the server keeps to the document.

Found from outside by schemathesis (issue 16): an out-of-enum ``archived=then`` read as false;
schema-valid bodies refused for rules the document did not state (no fallback prize, an
unknown tier, ``stock: {}``, a preview input of 1e306); 400 for a duplicate to a taken slug;
405 answers without ``Allow``; the exports missing from the document.
"""

from __future__ import annotations

import pytest
from jsonschema import Draft202012Validator
from sqlalchemy import func, select

from campaigns.catalog.models import Campaign
from extensions import db
from tests.console.conftest import campaign_doc
from tests.console.openapi_check import check
from tests.console.test_api import token_for


def _valid(spec: dict, name: str, instance) -> bool:
    schema = {"components": spec["components"], **spec["components"]["schemas"][name]}
    return Draft202012Validator(schema).is_valid(instance)


@pytest.fixture
def headers(client, marketer):
    headers = token_for(marketer)
    assert client.post("/api/v1/campaigns", json=campaign_doc(), headers=headers).status_code == 201
    return headers


@pytest.mark.parametrize(
    ("url", "method"),
    [
        ("/api/v1/campaigns?archived=then", "get"),
        ("/api/v1/campaigns?archived=TRUE", "get"),
        ("/api/v1/campaigns/spring-wheel/codes/gold?skip_errors=yes", "post"),
    ],
)
def test_a_query_value_outside_its_enum_is_refused(client, marketer, spec, url, method):
    headers = token_for(marketer)
    doc = campaign_doc()
    doc["prizes"][0]["coupon"] = "code"
    assert client.post("/api/v1/campaigns", json=doc, headers=headers).status_code == 201
    # A good file: without the check the import would go ahead.
    answer = client.open(url, method=method.upper(), headers=headers, data=b"code\nAAAAAA1\n", content_type="text/csv")
    assert answer.status_code == 400
    assert answer.json["error"]["code"] == "invalid_input"
    template = url.split("?")[0].removeprefix("/api/v1").replace("spring-wheel", "{slug}").replace("gold", "{tier}")
    check(spec, answer, template, method)


def test_a_duplicate_or_a_new_draft_at_a_taken_slug_is_409(client, headers, spec):
    duplicate = client.post("/api/v1/campaigns/spring-wheel/duplicate", json={"slug": "spring-wheel"}, headers=headers)
    assert (duplicate.status_code, duplicate.json["error"]["code"]) == (409, "slug_taken")
    check(spec, duplicate, "/campaigns/{slug}/duplicate", "post")
    created = client.post("/api/v1/campaigns", json=campaign_doc(), headers=headers)
    assert (created.status_code, created.json["error"]["code"]) == (409, "slug_taken")
    assert created.json["error"]["fields"] == {"slug": "Another campaign already uses this address."}
    assert db.session.scalar(select(func.count()).select_from(Campaign)) == 1


def test_codes_for_a_tier_the_campaign_does_not_have_are_404(client, headers, spec):
    answer = client.post(
        "/api/v1/campaigns/spring-wheel/codes/0", data=b"code\nA-1\n", content_type="text/csv", headers=headers
    )
    assert answer.status_code == 404
    check(spec, answer, "/campaigns/{slug}/codes/{tier}", "post")


def test_a_405_names_the_methods_allowed(client, headers):
    answer = client.delete("/api/v1/campaigns/spring-wheel", headers=headers)
    assert answer.status_code == 405
    assert set(answer.headers["Allow"].split(", ")) >= {"GET", "PUT"}
    assert answer.json["error"]["code"] == "method_not_allowed"


def test_the_document_states_the_rules_the_server_refused_unstated(spec):
    no_fallback = campaign_doc()
    no_fallback["prizes"] = [p for p in no_fallback["prizes"] if not p.get("fallback")]
    two_fallbacks = campaign_doc()
    two_fallbacks["prizes"][0]["fallback"] = True
    assert _valid(spec, "CampaignDocument", campaign_doc())
    assert not _valid(spec, "CampaignDocument", no_fallback)
    assert not _valid(spec, "CampaignDocument", two_fallbacks)
    assert not _valid(spec, "CampaignDocument", campaign_doc(opens_at="09:00"))
    assert not _valid(spec, "TopUp", {"stock": {}})
    assert not _valid(spec, "Traffic", {"weekday_plays": 1e306})
    assert _valid(spec, "Traffic", {"weekday_plays": 100_000_000})
    tier = spec["paths"]["/campaigns/{slug}/codes/{tier}"]["post"]["parameters"][1]
    assert tier["name"] == "tier" and "pattern" in tier["schema"]
    assert "ends_at is after starts_at" in spec["components"]["schemas"]["CampaignDocument"]["description"]


def test_the_exports_are_documented_and_answer_as_documented(client, headers, spec):
    for path, mimetype in [
        ("stats", "application/json"),
        ("stats.csv", "text/csv"),
        ("events.jsonl", "application/x-ndjson"),
        ("events.csv", "text/csv"),
    ]:
        answer = client.get(f"/api/v1/campaigns/spring-wheel/{path}", headers=headers)
        assert (answer.status_code, answer.mimetype) == (200, mimetype), path
        check(spec, answer, f"/campaigns/{{slug}}/{path}", "get")
        missing = client.get(f"/api/v1/campaigns/nope/{path}", headers=headers)
        check(spec, missing, f"/campaigns/{{slug}}/{path}", "get")


def test_whole_numbers_written_as_3_0_are_whole_numbers(client, marketer):
    headers = token_for(marketer)
    doc = campaign_doc(plays_per_day=3.0)
    doc["prizes"][0]["weight"] = 5.0
    created = client.post("/api/v1/campaigns", json=doc, headers=headers)
    assert created.status_code == 201, created.json
    assert created.json["document"]["plays_per_day"] == 3


def test_an_instant_with_no_utc_equivalent_is_400_not_500(client, marketer, spec):
    answer = client.post(
        "/api/v1/campaigns", json=campaign_doc(starts_at="0001-01-01T00:00:00+23:59"), headers=token_for(marketer)
    )
    assert answer.status_code == 400
    assert "starts_at" in answer.json["error"]["fields"]
    check(spec, answer, "/campaigns", "post")


def test_prize_values_and_images_are_stated_as_the_server_reads_them(spec):
    doc = campaign_doc()
    for value, valid in [("32.50", True), ("10000000", True), ("10000000.01", False), ("811400456", False)]:
        doc["prizes"][0]["value"] = value
        assert _valid(spec, "CampaignDocument", doc) is valid, value
    doc["prizes"][0]["value"] = "32"
    doc["prizes"][0]["image"] = "-x"
    assert not _valid(spec, "CampaignDocument", doc)
