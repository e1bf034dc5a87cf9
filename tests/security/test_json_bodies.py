"""Hostile JSON on every JSON endpoint: too deep, too large or wrongly typed is a 400 that changes nothing.

Found from outside (issue 16): ``[`` nested a thousand deep was a ``RecursionError``, a 500
with a traceback, on every JSON endpoint, even without a session or a token.
"""

from __future__ import annotations

import json
import logging

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from campaigns.base import Base
from campaigns.coupons.stores import create_link, create_store
from campaigns.keys import RATE_PREFIX
from campaigns.runtime import current
from extensions import db
from tests.console.conftest import campaign_doc
from tests.console.test_api import token_for
from tests.draws.helpers import published_with_prizes
from tests.factories import StaffFactory
from web.inputs import JSON_MAX_BYTES, JSON_MAX_DEPTH, json_depth_exceeds

SLUG = "spring-wheel"
# Every route that reads a JSON body (test_the_list_is_every_json_route keeps it whole).
ENDPOINTS = [
    ("POST", "/c/{campaign}/draw"),
    ("POST", "/c/no-such/draw"),
    ("PUT", "/c/{campaign}/client-seed"),
    ("POST", "/api/v1/campaigns"),
    ("PUT", f"/api/v1/campaigns/{SLUG}"),
    ("POST", f"/api/v1/campaigns/{SLUG}/preview"),
    ("POST", f"/api/v1/campaigns/{SLUG}/top-up"),
    ("POST", f"/api/v1/campaigns/{SLUG}/duplicate"),
    ("POST", "/redeem/lookup"),
    ("POST", "/redeem/confirm"),
    ("POST", "/redeem/s/{link}/lookup"),
    ("POST", "/redeem/s/{link}/confirm"),
    ("PUT", "/api/v1/accounts/{account}/replies"),
    ("PUT", "/api/v1/accounts/{account}/menu"),
    ("PUT", f"/api/v1/campaigns/{SLUG}/notices"),
    # A prize that is not the follower's: refused 404 after the body limits, which come first.
    ("POST", "/c/{campaign}/coupons/NOT-WON/address"),
]
DEEP = "[" * 1000 + "]" * 1000


@pytest.fixture
def world(app, services, client):
    """A published campaign with a logged-in follower, a draft of the API's marketer, and a store link."""
    campaign = published_with_prizes(db.session, services, prizes=[("gold", 10, 5, "all", "none")])
    marketer = StaffFactory(role="marketer", accounts=[campaign.account])
    db.session.commit()
    headers = {**token_for(marketer), "Idempotency-Key": "aaaaaaaaaaaaaaaa"}
    assert (
        client.post("/api/v1/campaigns", json=campaign_doc(account=campaign.account.slug), headers=headers).status_code
        == 201
    )
    store = create_store(db.session, campaign.account, "Store A")
    link = _store_link(store)
    db.session.commit()
    with client.session_transaction() as session:
        session[f"follower:{campaign.account_id}"] = "o-follower-0000000000000001"
        session["staff_id"] = marketer.id
    return {"campaign": campaign.slug, "link": link, "headers": headers, "account": campaign.account.slug}


def _store_link(store) -> str:
    _, token = create_link(db.session, store, label="counter")
    return token


def _url(template: str, world: dict) -> str:
    return template.format(campaign=world["campaign"], link=world["link"], account=world["account"])


def test_json_depth_is_measured_without_parsing():
    assert not json_depth_exceeds(b"[" * JSON_MAX_DEPTH + b"]" * JSON_MAX_DEPTH)
    assert json_depth_exceeds(b"[" * (JSON_MAX_DEPTH + 1) + b"]" * (JSON_MAX_DEPTH + 1))
    assert json_depth_exceeds(DEEP.encode())
    # Brackets inside strings are text, escaped quotes included.
    assert not json_depth_exceeds(b'{"a": "' + b"[" * 500 + b'", "b": "\\"[[[[", "c": [1, {"d": []}]}')
    assert not json_depth_exceeds(b"")
    assert json_depth_exceeds(b"[[]")  # unpaired: malformed, refused the same way


@pytest.mark.parametrize(("method", "template"), ENDPOINTS)
def test_deep_json_is_400_with_or_without_a_session(app, client, world, caplog, method, template):
    for headers in (world["headers"], {"Content-Type": "application/json"}):
        anonymous = app.test_client()
        sender = client if "Authorization" in headers else anonymous
        with caplog.at_level(logging.WARNING):
            answer = sender.open(
                _url(template, world), method=method, data=DEEP, headers=headers, content_type="application/json"
            )
        assert answer.status_code == 400, answer.get_data(as_text=True)[:300]
        assert answer.json["error"]["code"] == "invalid_input"
        assert answer.json["error"]["fields"] == {"body": "too deep"}
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


@pytest.mark.parametrize(("method", "template"), ENDPOINTS)
def test_json_over_the_size_limit_is_400(client, world, method, template):
    body = '{"client_seed": "' + "a" * JSON_MAX_BYTES + '"}'
    answer = client.open(
        _url(template, world), method=method, data=body, headers=world["headers"], content_type="application/json"
    )
    assert (answer.status_code, answer.json["error"]["fields"]) == (400, {"body": "too large"})


def test_a_body_at_the_depth_limit_reaches_the_view(client, world):
    nested = "[" * (JSON_MAX_DEPTH - 1) + "]" * (JSON_MAX_DEPTH - 1)
    answer = client.post(
        f"/api/v1/campaigns/{SLUG}/preview",
        data='{"weekday_plays": ' + nested + "}",
        headers=world["headers"],
        content_type="application/json",
    )
    assert answer.status_code == 400 and answer.json["error"]["fields"] != {"body": "too deep"}


def test_the_list_is_every_json_route(app):
    """Every write route of the follower endpoints, the API and the redeem page is in ENDPOINTS (or takes no JSON)."""
    no_json = {"/api/v1/campaigns/<slug>/codes/<tier>"}  # a CSV body
    listed = {
        t.replace("{campaign}", "<slug>")
        .replace("{link}", "<token>")
        .replace("{account}", "<slug>")
        .replace(SLUG, "<slug>")
        .replace("NOT-WON", "<code>")
        for _, t in ENDPOINTS
    }
    for rule in app.url_map.iter_rules():
        writes = rule.methods & {"POST", "PUT", "PATCH"}
        if not writes or not rule.rule.startswith(("/c/", "/api/", "/redeem/")) or rule.rule in no_json:
            continue
        if "<any(" in rule.rule or rule.endpoint in {
            "api.publish",
            "api.archive",
            "api.publish_menu",
            "api.import_menu",
            "coupons.claim_prize",
        }:
            continue  # actions without a body
        if app.view_functions[rule.endpoint].__module__ == "web.redeem.stores":
            continue  # the store pages' forms
        assert rule.rule in listed, rule.rule


# --- the property: anything hostile, on every JSON endpoint, answers below 500 and changes nothing -------------

# No text field takes a boolean, a number or a list, and no number field takes text (null is absent).
not_text = st.booleans() | st.integers() | st.floats(allow_nan=False)
wrong_for_text = not_text | st.lists(not_text | st.text(max_size=10), max_size=3)
wrong_for_number = st.text(max_size=10) | st.lists(not_text, max_size=3)
# The fields each endpoint reads, as (text fields, number fields); any other key is ignored there.
FIELDS = {
    "/c/{campaign}/draw": (["client_seed"], []),
    "/c/no-such/draw": (["client_seed"], []),
    "/c/{campaign}/client-seed": (["client_seed"], []),
    "/c/{campaign}/coupons/NOT-WON/address": (["recipient", "phone", "province", "city", "district", "detail"], []),
    "/api/v1/campaigns": (["slug", "name", "prizes"], []),
    f"/api/v1/campaigns/{SLUG}": (["slug", "name", "prizes"], []),
    f"/api/v1/campaigns/{SLUG}/preview": ([], ["weekday_plays", "weekend_plays"]),
    f"/api/v1/campaigns/{SLUG}/top-up": (["stock"], []),
    f"/api/v1/campaigns/{SLUG}/duplicate": (["slug"], []),
    "/redeem/lookup": (["code"], ["store_id"]),
    "/redeem/confirm": (["code"], ["store_id"]),
    "/redeem/s/{link}/lookup": (["code"], []),
    "/redeem/s/{link}/confirm": (["code"], []),
    "/api/v1/accounts/{account}/replies": (["welcome", "default", "keywords", "clicks"], []),
    "/api/v1/accounts/{account}/menu": (["button"], []),
    f"/api/v1/campaigns/{SLUG}/notices": (["winner_template_id", "expiry_template_id"], ["reminder_days"]),
}
hostile = st.one_of(
    st.integers(JSON_MAX_DEPTH + 1, 3000).map(lambda n: "[" * n + "]" * n),
    st.integers(JSON_MAX_DEPTH + 1, 3000).map(lambda n: '{"a":' * n + "1" + "}" * n),
    st.integers(JSON_MAX_BYTES + 1, JSON_MAX_BYTES + 5000).map(lambda n: '"' + "x" * n + '"'),
    (not_text | st.lists(not_text | st.text(max_size=10), max_size=3)).map(json.dumps),  # not an object
    st.text(max_size=50).map(lambda text: "{" + text + ",]"),  # never JSON
)


def very_long(template: str):
    """A well-formed object whose fields read by ``template`` are far too long texts (up to 200 KB)."""
    text_fields, number_fields = FIELDS[template]
    fields = text_fields or number_fields
    return st.integers(1, 200).map(lambda n: json.dumps({field: "9" * 1000 * n for field in fields}))


def wrongly_typed(template: str):
    """An object whose fields read by ``template`` are all of the wrong type."""
    text_fields, number_fields = FIELDS[template]
    wrong = {**{f: wrong_for_text for f in text_fields}, **{f: wrong_for_number for f in number_fields}}
    return st.fixed_dictionaries({}, optional=wrong).filter(bool).map(json.dumps)


def _state() -> tuple:
    """Row counts of every table and every Redis key with its value's digest (rate limits aside)."""
    counts = tuple(db.session.scalar(select(func.count()).select_from(t)) for t in Base.metadata.sorted_tables)
    redis = current().redis
    keys = sorted(k for k in redis.keys("*") if not k.startswith(RATE_PREFIX))
    return counts, tuple((k, redis.dump(k)) for k in keys)


@settings(
    max_examples=150,
    deadline=None,
    derandomize=True,  # the same examples every run: a failure here is a finding, not luck
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(endpoint=st.sampled_from(ENDPOINTS), data=st.data())
def test_hostile_json_never_answers_5xx_and_changes_nothing(client, world, endpoint, data):
    method, template = endpoint
    body = data.draw(hostile | very_long(template) | wrongly_typed(template))
    before = _state()
    answer = client.open(
        _url(template, world), method=method, data=body, headers=world["headers"], content_type="application/json"
    )
    assert 400 <= answer.status_code < 500, (answer.status_code, body[:200], answer.get_data(as_text=True)[:300])
    db.session.rollback()
    assert _state() == before, body[:200]
