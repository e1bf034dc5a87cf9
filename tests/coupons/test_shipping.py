"""Shipped prizes: the winner's address (checked, sealed, editable until shipped), the console's
shipping CSV export (audited) and tracking import (all or nothing), and the erasure after the campaign."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from campaigns.clock import FixedClock
from campaigns.coupons.models import Shipment
from campaigns.coupons.services import claim_status
from campaigns.coupons.shipping import erase_due
from campaigns.staff.models import AuditEntry
from extensions import db
from tests.factories import NOW, PrizeTierFactory, StaffFactory

from .conftest import log_in_staff, won

pytestmark = pytest.mark.clock
ADDRESS = {
    "recipient": "李四",
    "phone": "139 0013 9000",
    "province": "广东",
    "city": "深圳市",
    "district": "南山区",
    "detail": "科技园南区 8 栋 301",
}


@pytest.fixture
def frozen(app, clock):
    app.extensions["services"].clock = clock
    return clock


@pytest.fixture
def bag(campaign):
    return PrizeTierFactory(campaign=campaign, tier="bag", name="帆布袋", coupon_kind="shipping", stock=10)


@pytest.fixture
def prize(bag):
    return won(bag, openid="o-winner", code="SHIPCODE0001")


@pytest.fixture
def winner(client, campaign):
    with client.session_transaction() as session:
        session[f"follower:{campaign.account_id}"] = "o-winner"
    return client


@pytest.fixture
def marketer(account):
    staff = StaffFactory(role="marketer", accounts=[account])
    db.session.commit()
    return staff


def ctx(services):
    return services.context(db.session)


def address_url(campaign, code="SHIPCODE0001") -> str:
    return f"/c/{campaign.slug}/coupons/{code}/address"


def shipments() -> int:
    return db.session.scalar(select(func.count()).select_from(Shipment))


def test_the_winner_gives_an_address_which_is_sealed_at_rest(winner, campaign, prize, services, frozen):
    assert claim_status(ctx(services), prize).step == "give_address"
    answer = winner.post(address_url(campaign), json=ADDRESS)
    assert answer.status_code == 200, answer.get_json()
    assert answer.get_json() == {"status": "address_given", "address": "广东省深圳市南山区科技园南区 8 栋 301"}
    stored = db.session.scalar(select(Shipment))
    assert "李四" not in stored.address_sealed and "13900139000" not in stored.address_sealed
    assert claim_status(ctx(services), prize).state == "address_given"
    page = winner.get(f"/c/{campaign.slug}/coupons/SHIPCODE0001/claim").get_data(as_text=True)
    assert "李四" in page and "13900139000" in page and "待发货" in page


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"detail": "路" * 2000}, "detail"),
        ({"phone": "one three nine"}, "phone"),
        ({"phone": "23900139000"}, "phone"),
        ({"province": "Atlantis"}, "province"),
        ({"city": "Shenzhen"}, "city"),
        ({"district": ""}, "district"),
        ({"recipient": "x" * 21}, "recipient"),
    ],
)
def test_a_bad_address_is_refused_field_by_field_and_changes_nothing(winner, campaign, prize, frozen, change, field):
    answer = winner.post(address_url(campaign), json={**ADDRESS, **change})
    assert answer.status_code == 400
    assert field in answer.get_json()["error"]["fields"]
    assert shipments() == 0


def test_only_the_winner_may_give_the_address(client, campaign, prize, frozen):
    with client.session_transaction() as session:
        session[f"follower:{campaign.account_id}"] = "o-someone-else"
    assert client.post(address_url(campaign), json=ADDRESS).status_code == 404
    assert shipments() == 0


def test_the_address_is_editable_until_the_prize_ships(winner, client, campaign, prize, marketer, frozen):
    winner.post(address_url(campaign), json=ADDRESS)
    assert winner.post(address_url(campaign), json={**ADDRESS, "recipient": "王五"}).status_code == 200
    log_in_staff(client, marketer)
    report = import_csv(client, campaign, "code,carrier,tracking_number\nSHIPCODE0001,顺丰速运,SF1234567890\n")
    assert report.status_code == 200 and report.get_json()["shipped"] == 1
    refused = client.post(address_url(campaign), json={**ADDRESS, "recipient": "赵六"})
    assert refused.status_code == 409
    page = client.get(f"/c/{campaign.slug}/coupons/SHIPCODE0001/claim").get_data(as_text=True)
    assert "王五" in page and "SF1234567890" in page and "已发货" in page and "address-form" not in page


def import_csv(client, campaign, text: str):
    return client.post(
        f"/console/campaigns/{campaign.slug}/claims/tracking",
        data={"file": (io.BytesIO(text.encode()), "tracking.csv")},
        content_type="multipart/form-data",
        headers={"Accept": "application/json"},
    )


def test_a_tracking_file_with_a_bad_line_imports_nothing_and_names_the_lines(
    winner, client, campaign, bag, prize, marketer, frozen
):
    won(bag, openid="o-winner", code="SHIPCODE0002")
    winner.post(address_url(campaign), json=ADDRESS)
    winner.post(address_url(campaign, "SHIPCODE0002"), json=ADDRESS)
    log_in_staff(client, marketer)
    text = (
        "code,carrier,tracking\nSHIPCODE0001,顺丰速运,SF1\nNOSUCHCODE99,顺丰速运,SF1234567890\nSHIPCODE0002,,SF99999\n"
    )
    answer = import_csv(client, campaign, text)
    assert answer.status_code == 422
    body = answer.get_json()
    assert body["shipped"] == 0 and [e["line"] for e in body["errors"]] == [2, 3, 4]
    assert "NOSUCHCODE99" in body["errors"][1]["message"]
    db.session.expire_all()
    assert {s.status for s in db.session.scalars(select(Shipment))} == {"address_given"}


def test_the_export_lists_the_addresses_and_is_audited(winner, client, campaign, prize, marketer, frozen):
    winner.post(address_url(campaign), json=ADDRESS)
    log_in_staff(client, marketer)
    listing = client.get(f"/console/campaigns/{campaign.slug}/claims").get_data(as_text=True)
    assert "SHIPCODE0001" in listing and "李四" in listing
    export = client.get(f"/console/campaigns/{campaign.slug}/claims.csv")
    assert export.status_code == 200 and export.mimetype == "text/csv"
    lines = export.get_data(as_text=True).lstrip("\ufeff").splitlines()
    assert lines[0].startswith("code,prize,status,recipient,phone")
    assert lines[1].startswith("SHIPCODE0001,帆布袋,address_given,李四,13900139000,广东省,深圳市,南山区")
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "shipping.export"))
    assert entry.staff_id == marketer.id and entry.after == {"rows": 1, "with_address": 1}


def test_addresses_are_erased_ninety_days_after_the_campaign_ends(winner, campaign, prize, services, frozen):
    winner.post(address_url(campaign), json=ADDRESS)
    ended = campaign.ends_at.replace(tzinfo=NOW.tzinfo)
    assert erase_due(db.session, FixedClock(ended + timedelta(days=89))) == 0
    assert erase_due(db.session, FixedClock(ended + timedelta(days=91))) == 1
    stored = db.session.scalar(select(Shipment))
    assert stored.address_sealed == "" and stored.erased_at is not None
    assert winner.post(address_url(campaign), json=ADDRESS).status_code == 409
