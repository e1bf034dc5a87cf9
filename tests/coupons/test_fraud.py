"""Fraud checks at the claim: the account's blacklist (console and CSV), a daily cap per client address,
and the manual review queue (approve goes on; reject voids and returns the stock as a new rules version,
and the ledger still verifies). Every decision is audit-logged."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from campaigns import tasks
from campaigns.coupons.models import BlockedOpenid, Claim, RedPacket
from campaigns.staff.models import AuditEntry
from extensions import db
from tests.factories import StaffFactory
from tests.games.helpers import ledger, log_in

from .conftest import log_in_staff
from .test_red_packets import pay_wired, published_cash  # noqa: F401 - the fixture is used by name

pytestmark = pytest.mark.usefixtures("pay_wired")


def win(client, services, campaign, openid):
    log_in(client, campaign, openid)
    client.post(f"/c/{campaign.slug}/draw", json={}, headers={"Idempotency-Key": f"key-{openid}"})
    ledger(services, campaign)
    prize = client.get(f"/c/{campaign.slug}/prizes").get_json()["prizes"][0]
    return prize["coupon"]["code"]


def claim(client, campaign, code):
    return client.post(f"/c/{campaign.slug}/coupons/{code}/claim", json={})


def actions() -> list[str]:
    return list(db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))


@pytest.fixture
def marketer_client(app, services):
    def signed_in(campaign):
        staff = StaffFactory(role="marketer", accounts=[campaign.account])
        db.session.commit()
        other = app.test_client()
        log_in_staff(other, staff)
        return other

    return signed_in


def test_a_blacklisted_openid_is_refused_at_the_claim_and_never_paid(client, services, marketer_client):
    campaign = published_cash(services)
    staff = marketer_client(campaign)
    added = staff.post(f"/console/accounts/{campaign.account.slug}/blacklist", data={"openid": "o-ring-1"},
                       headers={"Accept": "application/json"})  # fmt: skip
    assert added.get_json() == {"added": 1, "errors": []}
    code = win(client, services, campaign, "o-ring-1")
    refused = claim(client, campaign, code)
    assert refused.status_code == 409 and "无法领取" in refused.get_json()["error"]["message"]
    assert tasks.pay_due_red_packets() == 0 and db.session.scalar(select(func.count(RedPacket.id))) == 0
    assert db.session.scalar(select(Claim)).reason == "blacklisted"
    assert {"blacklist.add", "claim.refused"} <= set(actions())
    assert client.get(f"/c/{campaign.slug}/prizes").get_json()["prizes"][0]["claim"]["state"] == "refused"


def test_a_blacklist_csv_with_a_bad_line_blocks_nothing(client, services, marketer_client):
    campaign = published_cash(services)
    staff = marketer_client(campaign)
    url = f"/console/accounts/{campaign.account.slug}/blacklist"

    def upload(text):
        data = {"file": (io.BytesIO(text.encode()), "blacklist.csv")}
        return staff.post(url, data=data, content_type="multipart/form-data", headers={"Accept": "application/json"})

    bad = upload("openid,reason\no-ring-1,羊毛党\no ring 2!,typo\n")
    assert bad.status_code == 422 and [e["line"] for e in bad.get_json()["errors"]] == [3]
    assert db.session.scalar(select(func.count(BlockedOpenid.id))) == 0
    good = upload("openid,reason\no-ring-1,羊毛党\no-ring-2,同一设备\n")
    assert good.get_json()["added"] == 2
    assert "o-ring-2" in staff.get(url).get_data(as_text=True)


def test_a_client_address_claims_at_most_the_daily_cap(client, services, app):
    app.extensions["services"].settings["CLAIM_ADDRESS_DAILY_CAP"] = 2
    campaign = published_cash(services)
    answers = [claim(client, campaign, win(client, services, campaign, f"o-fan-{n}")).status_code for n in range(3)]
    assert answers == [200, 200, 409]
    refused = db.session.scalars(select(Claim).where(Claim.status == "refused")).all()
    assert [c.reason for c in refused] == ["address_cap"]


def test_a_prize_above_the_review_threshold_waits_then_is_approved_and_paid(client, services, marketer_client):
    campaign = published_cash(services)
    campaign.review_above_minor = 500
    db.session.commit()
    code = win(client, services, campaign, "o-fan")
    assert claim(client, campaign, code).get_json() == {"claim": {"state": "in_review", "step": "none"}}
    assert tasks.pay_due_red_packets() == 0
    staff = marketer_client(campaign)
    queue = staff.get(f"/console/campaigns/{campaign.slug}/review").get_data(as_text=True)
    assert code in queue
    held = db.session.scalar(select(Claim))
    staff.post(f"/console/campaigns/{campaign.slug}/review/{held.id}/approve")
    db.session.expire_all()
    assert db.session.scalar(select(Claim)).status == "approved"
    assert tasks.pay_due_red_packets() == 1 and "claim.review_approve" in actions()


def test_a_rejected_prize_is_void_its_stock_returned_and_the_ledger_still_verifies(
    client, services, runner, marketer_client
):
    campaign = published_cash(services)
    campaign.review_above_minor = 500
    db.session.commit()
    code = win(client, services, campaign, "o-fan")
    claim(client, campaign, code)
    staff = marketer_client(campaign)
    held = db.session.scalar(select(Claim))
    assert staff.post(f"/console/campaigns/{campaign.slug}/review/{held.id}/reject").status_code == 302
    db.session.expire_all()
    assert db.session.scalar(select(Claim)).status == "void"
    db.session.refresh(campaign)
    assert campaign.tiers[0].stock == 6 and [v.version for v in campaign.rules_versions] == [1, 2]
    assert {"claim.review_reject", "campaign.top_up"} <= set(actions())
    assert client.get(f"/c/{campaign.slug}/prizes").get_json()["prizes"][0]["claim"]["state"] == "void"
    win(client, services, campaign, "o-next")  # a draw under the new rules version
    result = runner.invoke(args=["campaigns", "verify", campaign.slug])
    assert result.exit_code == 0, result.output
    assert "2 draws verified" in result.output
