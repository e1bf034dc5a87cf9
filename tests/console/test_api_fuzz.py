"""Property-based fuzzing of the API from its OpenAPI document: any input, no 500, every answer documented."""

from __future__ import annotations

from urllib.parse import quote, unquote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.exceptions import NotFound

from extensions import db
from tests.console.conftest import campaign_doc
from tests.console.openapi_check import check
from tests.console.test_api import token_for

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**40), 2**40) | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=12,
)
DOC_KEYS = list(campaign_doc())
PRIZE_KEYS = [
    "tier",
    "name",
    "weight",
    "stock",
    "daily_limit",
    "fallback",
    "value",
    "currency",
    "image",
    "coupon",
    "card_id",
    "valid_from",
    "valid_until",
]


@st.composite
def documents(draw):
    """Mostly-valid campaign documents with one or two fields replaced by anything."""
    doc = campaign_doc(slug=draw(st.sampled_from(["spring-wheel", "fuzz-a", "fuzz-b"])))
    for _ in range(draw(st.integers(0, 2))):
        if draw(st.booleans()):
            doc[draw(st.sampled_from(DOC_KEYS))] = draw(json_values)
        elif isinstance(doc.get("prizes"), list) and doc["prizes"]:
            prize = doc["prizes"][draw(st.integers(0, len(doc["prizes"]) - 1))]
            if isinstance(prize, dict):
                prize[draw(st.sampled_from(PRIZE_KEYS))] = draw(json_values)
    return doc


def bodies(schema_name: str | None):
    if schema_name == "CampaignDocument":
        return documents() | json_values
    if schema_name == "TopUp":
        return (
            st.fixed_dictionaries(
                {
                    "stock": st.dictionaries(
                        st.sampled_from(["gold", "silver", "none", "x"]), json_values | st.integers(-5, 100), max_size=3
                    )
                }
            )
            | json_values
        )
    if schema_name == "Traffic":
        return (
            st.fixed_dictionaries(
                {"weekday_plays": json_values | st.integers(-10, 10**9), "weekend_plays": json_values | st.floats()}
            )
            | json_values
        )
    return json_values


# A "/" (even escaped) makes the path another route, so path values are anything but that.
path_text = st.sampled_from(["spring-wheel", "gold", "none", "nope"]) | st.text(min_size=1, max_size=20).filter(
    lambda text: "/" not in text and text not in (".", "..")
)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(data=st.data())
def test_fuzz_every_operation(client, spec, marketer, frozen, data):
    headers = token_for(marketer) if not hasattr(marketer, "_fuzz_token") else marketer._fuzz_token
    marketer._fuzz_token = headers
    if client.get("/api/v1/campaigns/spring-wheel", headers=headers).status_code == 404:
        client.post("/api/v1/campaigns", json=campaign_doc(), headers=headers)
    operations = sorted((path, method) for path, ops in spec["paths"].items() for method in ops)
    template, method = data.draw(st.sampled_from(operations))
    operation = spec["paths"][template][method]
    url = template
    query = {}
    for param in operation["parameters"]:
        if param["in"] == "path":
            value = data.draw(st.sampled_from(param["schema"]["enum"]) if "enum" in param["schema"] else path_text)
            url = url.replace("{" + param["name"] + "}", quote(value, safe=""))
        elif data.draw(st.booleans()):
            query[param["name"]] = data.draw(st.text(max_size=10) | st.sampled_from(["true", "false"]))
    kwargs = {"headers": headers, "query_string": query}
    content = operation.get("requestBody", {}).get("content", {})
    if "application/json" in content:
        name = content["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
        kwargs["json"] = data.draw(bodies(name))
    elif "text/csv" in content:
        kwargs["data"] = data.draw(st.binary(max_size=200) | st.text(max_size=200).map(str.encode))
    response = client.open(f"/api/v1{url}", method=method.upper(), **kwargs)
    if response.status_code == 404 and response.get_json() is None:
        # Only a generated path value that no route matches (a "/" in it, say) may get the plain 404.
        with pytest.raises(NotFound):
            client.application.url_map.bind("localhost").match(unquote(f"/api/v1{url}"), method=method.upper())
        return
    check(spec, response, template, method)
    db.session.rollback()
