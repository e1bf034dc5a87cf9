"""Every prize has a claim kind from one registry: the document, the API's OpenAPI enum and the editor's
picker all read it; publishing refuses a prize without one and names its row; an in-store prize
with no uploaded codes gets platform codes at publish."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from campaigns.catalog.models import Campaign
from campaigns.coupons.issuers import choices, document_kinds, kinds
from campaigns.coupons.models import CouponCode
from campaigns.keys import CampaignKeys
from extensions import db
from tests.console.conftest import campaign_doc
from tests.console.test_api import token_for
from tests.console.test_lifecycle import BASE, make, status
from tests.factories import NOW, CouponCodeFactory


def test_the_registry_is_what_the_document_the_api_and_the_editor_offer(as_marketer, spec):
    assert kinds() == [c["kind"] for c in choices()] and {"code", "wechat_card", "shipping"} <= set(kinds())
    prize = spec["components"]["schemas"]["CampaignDocument"]["properties"]["prizes"]["items"]
    assert prize["properties"]["coupon"]["enum"] == document_kinds() == ["none", *kinds()]
    editor = as_marketer.get("/console/campaigns/new").get_data(as_text=True)
    picker = editor[editor.index('name="prize-0-coupon"') :].split("</select>")[0]
    assert re.findall(r'<option value="([a-z_]+)"', picker) == document_kinds()


def test_publishing_refuses_a_prize_without_a_claim_kind_and_names_its_row(as_marketer, marketer, frozen):
    doc = campaign_doc(starts_at=NOW.isoformat())
    doc["prizes"][1]["coupon"] = "none"
    make(as_marketer, prizes=doc["prizes"], starts_at=doc["starts_at"])
    answer = as_marketer.post("/api/v1/campaigns/spring-wheel/publish", headers=token_for(marketer))
    assert answer.status_code == 400
    assert answer.get_json()["error"]["fields"] == {"prizes[1].coupon": "Choose how the winner claims this prize."}
    assert status() == "draft"


def test_an_in_store_prize_without_uploaded_codes_gets_platform_codes_at_publish(as_marketer, frozen, services):
    campaign = make(as_marketer, starts_at=NOW.isoformat())
    assert as_marketer.post(f"{BASE}/publish").status_code == 302
    for tier in campaign.tiers:
        if tier.is_fallback:
            continue
        count = db.session.scalar(select(func.count()).select_from(CouponCode).where(CouponCode.tier_id == tier.id))
        assert count == tier.stock
        assert services.redis.llen(CampaignKeys(campaign.id).codes(tier.tier)) == tier.stock


def test_uploaded_codes_are_kept_and_a_short_upload_is_refused(as_marketer, marketer, frozen):
    campaign = make(as_marketer, starts_at=NOW.isoformat())
    CouponCodeFactory(tier_id=campaign.tiers[0].id, code="MYOWNCODE1")
    db.session.commit()
    answer = as_marketer.post("/api/v1/campaigns/spring-wheel/publish", headers=token_for(marketer))
    assert answer.get_json()["error"]["fields"] == {"prizes[0].stock": "Upload more codes: 10 prizes but only 1 codes."}


def test_a_top_up_of_a_shipped_prize_gets_its_codes_too(as_marketer, marketer, frozen, services):
    doc = campaign_doc(starts_at=NOW.isoformat())
    doc["prizes"][1]["coupon"] = "shipping"
    campaign = make(as_marketer, prizes=doc["prizes"], starts_at=doc["starts_at"])
    assert as_marketer.post(f"{BASE}/publish").status_code == 302
    answer = as_marketer.post(
        "/api/v1/campaigns/spring-wheel/top-up", json={"stock": {"silver": 45}}, headers=token_for(marketer)
    )
    assert answer.status_code == 200, answer.get_data(as_text=True)
    assert services.redis.llen(CampaignKeys(campaign.id).codes("silver")) == 45


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"value": "0.50"}, "prizes[0].value"),
        ({"value": "200.01"}, "prizes[0].value"),
        ({"amount_min": "0.99", "amount_max": "8.88"}, "prizes[0].amount_min"),
        ({"amount_min": "9.00", "amount_max": "8.88"}, "prizes[0].amount_max"),
        ({"amount_min": "1.00"}, "prizes[0].amount_max"),
    ],
)
def test_a_red_packet_amount_outside_wechats_limits_is_refused_on_its_row(as_marketer, marketer, frozen, change, field):
    doc = campaign_doc(starts_at=NOW.isoformat())
    doc["prizes"][0].update(coupon="red_packet", **change)
    doc["prizes"][0].setdefault("value", "8.88")
    answer = as_marketer.post("/api/v1/campaigns", json=doc, headers=token_for(marketer))
    if answer.status_code == 201:
        answer = as_marketer.post("/api/v1/campaigns/spring-wheel/publish", headers=token_for(marketer))
    assert answer.status_code == 400
    assert field in answer.get_json()["error"]["fields"]
    assert status() in (None, "draft")


def test_a_red_packet_range_is_part_of_the_committed_rules(as_marketer, marketer, frozen):
    doc = campaign_doc(starts_at=NOW.isoformat())
    doc["prizes"][0].update(coupon="red_packet", value="8.88", amount_min="1.00", amount_max="8.88")
    assert as_marketer.post("/api/v1/campaigns", json=doc, headers=token_for(marketer)).status_code == 201
    assert as_marketer.post("/api/v1/campaigns/spring-wheel/publish", headers=token_for(marketer)).status_code == 200
    rules = as_marketer.get("/c/spring-wheel/fairness").get_json()
    document = rules["versions"][0]["rules"]
    assert document["prizes"][0]["amount"] == {"min": 100, "max": 888}


def test_the_editor_takes_a_red_packet_range_and_a_review_threshold(as_marketer, frozen):
    from tests.console.test_editing import form_of

    doc = campaign_doc(starts_at=NOW.isoformat())
    doc["prizes"][0].update(coupon="red_packet", value="8.88", amount_min="1.00", amount_max="8.88")
    form = {**form_of(doc), "review_above": "100"}
    assert as_marketer.post("/console/campaigns/new", data=form).status_code == 302
    campaign = db.session.scalar(select(Campaign).where(Campaign.slug == "spring-wheel"))
    tier = campaign.tiers[0]
    assert (tier.coupon_kind, tier.amount_min_minor, tier.amount_max_minor) == ("red_packet", 100, 888)
    assert campaign.review_above_minor == 10000
    editor = as_marketer.get(f"{BASE}/edit").get_data(as_text=True)
    assert 'name="prize-0-amount_max" value="8.88"' in editor and 'name="review_above" value="100.00"' in editor
