"""Uploading coupon codes: thousands at once, bad lines reported by number, nothing half-imported."""

from __future__ import annotations

import io

from sqlalchemy import func, select

from campaigns.coupons.models import CouponCode
from campaigns.keys import CampaignKeys
from campaigns.staff.models import AuditEntry
from extensions import db
from tests.console.conftest import campaign_doc
from tests.factories import NOW, CouponCodeFactory

PATH = "/console/campaigns/spring-wheel/codes"


def code_campaign(client, **changes):
    from tests.console.test_lifecycle import make

    doc = campaign_doc(**changes)
    doc["prizes"][0]["coupon"] = "code"
    return make(client, prizes=doc["prizes"], **{k: v for k, v in changes.items() if k != "prizes"})


def upload(client, text: str, tier: str = "gold", skip: bool = False, json: bool = True):
    data = {"tier": tier, "file": (io.BytesIO(text.encode()), "codes.csv")}
    if skip:
        data["skip_errors"] = "y"
    headers = {"Accept": "application/json"} if json else {}
    return client.post(PATH, data=data, content_type="multipart/form-data", headers=headers)


def count() -> int:
    return db.session.scalar(select(func.count()).select_from(CouponCode))


def test_ten_thousand_codes_in_one_file(as_marketer, frozen):
    code_campaign(as_marketer)
    codes = "\n".join(f"BULK{n:08d}" for n in range(10_000))
    response = upload(as_marketer, "code\n" + codes + "\n")
    assert response.status_code == 200
    assert response.get_json()["imported"] == 10_000 and count() == 10_000
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "codes.import"))
    assert entry.after == {"tier": "gold", "codes": 10_000, "skipped_lines": 0}


def test_bad_lines_are_reported_and_nothing_is_imported_unless_skipped(as_marketer, frozen):
    code_campaign(as_marketer)
    CouponCodeFactory(code="USEDELSEWHERE")
    db.session.commit()
    before = count()
    text = "GOOD000001\n\nGOOD000002\nGOOD000001\nUSEDELSEWHERE\n=cmd|'/c calc'!A1\nGOOD000003\n"
    refused = upload(as_marketer, text)
    assert refused.status_code == 422
    body = refused.get_json()
    assert body["imported"] == 0 and count() == before
    assert [(e["line"], e["message"]) for e in body["errors"]] == [
        (2, "The line is blank."),
        (4, "Duplicate of line 1."),
        (5, "This code is already used (in this or another campaign)."),
        (6, "A code is 6 to 64 letters, digits, '-' or '_'."),
    ]
    page = upload(as_marketer, text, json=False).get_data(as_text=True)
    assert "Line 4: Duplicate of line 1." in page and "nothing was imported" in page
    done = upload(as_marketer, text, skip=True).get_json()
    assert done["imported"] == 3 and count() == before + 3


def test_codes_uploaded_to_a_live_campaign_reach_its_pool(as_marketer, frozen, services):
    campaign = code_campaign(as_marketer, starts_at=NOW.isoformat())
    upload(as_marketer, "\n".join(f"FIRST{n:05d}" for n in range(10)))
    assert as_marketer.post("/console/campaigns/spring-wheel/publish").status_code == 302
    assert upload(as_marketer, "EXTRA00001\nEXTRA00002\n").get_json()["imported"] == 2
    assert services.redis.llen(CampaignKeys(campaign.id).codes("gold")) == 12


def test_a_prize_without_coupons_takes_no_codes(as_marketer, frozen):
    code_campaign(as_marketer)
    response = upload(as_marketer, "ABCDEF01\n", tier="none")
    assert response.status_code == 400 and count() == 0


def test_a_shipped_prize_takes_no_uploaded_codes(as_marketer, frozen):
    doc = campaign_doc()
    doc["prizes"][1]["coupon"] = "shipping"
    code_campaign(as_marketer, prizes=doc["prizes"])
    response = upload(as_marketer, "ABCDEF01\n", tier="silver")
    assert response.status_code == 400 and count() == 0
