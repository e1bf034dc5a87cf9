"""A NUL character anywhere in a request is a clear 400 that changes nothing (PostgreSQL cannot store one).

Found by the API fuzzer on the PostgreSQL leg: ``GET /api/v1/campaigns/%00`` was a 500 there.
"""

from __future__ import annotations

from sqlalchemy import func, select

from campaigns.catalog.models import Campaign
from campaigns.staff.models import ApiToken
from extensions import db
from tests.console.conftest import campaign_doc
from tests.console.test_api import token_for


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_a_nul_in_the_path_is_400_invalid_input(client, marketer):
    answer = client.get("/api/v1/campaigns/a%00b", headers=token_for(marketer))
    assert answer.status_code == 400
    assert answer.json["error"]["code"] == "invalid_input"
    assert answer.json["error"]["fields"] == {"path": "invalid"}


def test_a_nul_in_a_json_body_is_400_and_creates_nothing(client, marketer):
    headers = token_for(marketer)
    answer = client.post("/api/v1/campaigns", json=campaign_doc(name="Spring\u0000Wheel"), headers=headers)
    assert (answer.status_code, answer.json["error"]["fields"]) == (400, {"body": "invalid"})
    assert _count(Campaign) == 0
    assert (
        client.post("/api/v1/campaigns", json=campaign_doc(), headers=headers).status_code == 201
    )  # the same without it


def test_a_nul_in_a_form_field_is_400_on_a_page_and_creates_nothing(as_marketer):
    answer = as_marketer.post("/console/tokens", data={"label": "laptop\x00", "role": "marketer"})
    assert answer.status_code == 400
    assert "NUL" in answer.get_data(as_text=True) and answer.mimetype == "text/html"
    assert _count(ApiToken) == 0


def test_a_nul_in_the_query_string_is_400(as_marketer):
    assert as_marketer.get("/console/?q=%00").status_code == 400
