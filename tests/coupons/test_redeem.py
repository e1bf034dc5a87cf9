"""Redemption in store: exactly once, refusals logged and harmless, rate-limited, links revocable."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
import requests
from sqlalchemy import func, select

from campaigns.clock import to_ms
from campaigns.coupons import redeem as redemption
from campaigns.coupons.models import CouponCode, Redemption, RefusalLog
from campaigns.coupons.stores import create_link, create_store, revoke_link
from campaigns.errors import AlreadyRedeemed, CouponForeign, CouponNotIssued, CouponNotValid, CouponUnknown
from campaigns.keys import CampaignKeys
from extensions import db
from tests.factories import NOW, CampaignFactory, CouponCodeFactory, PrizeTierFactory, StaffFactory

from .conftest import log_in_staff, won

pytestmark = pytest.mark.clock


def stream(services, campaign_id):
    return [fields for _, fields in services.redis.xrange(CampaignKeys(campaign_id).events)]


def test_staff_redeem_a_coupon_once_and_the_result_is_recorded(client, services, code_tier, store, operator):
    coupon = won(code_tier, code="K7QX9MZPABCDE")
    log_in_staff(client, operator)

    looked = client.post("/redeem/lookup", json={"code": "k7qx 9mzp-abcde", "store_id": store.id})
    assert looked.status_code == 200
    assert looked.json | {"prize": "Free coffee", "state": "issued", "campaign": "双十二刮刮卡"} == looked.json

    done = client.post("/redeem/confirm", json={"code": "K7QX9MZPABCDE", "store_id": store.id})
    assert done.status_code == 200 and done.json["state"] == "redeemed"
    again = client.post("/redeem/confirm", json={"code": "K7QX9MZPABCDE", "store_id": store.id})
    assert again.status_code == 409
    # 10:00 UTC is 18:00 in the campaign's Asia/Shanghai.
    assert again.json["error"] == {"code": "already_redeemed", "message": "Already redeemed at 18:00 by Store A."}

    db.session.expire_all()
    row = db.session.scalar(select(Redemption).where(Redemption.coupon_id == coupon.id))
    assert (row.store_id, row.staff_id, row.redeemed_at) == (store.id, operator.id, NOW)
    events = [e for e in stream(services, code_tier.campaign_id) if e["type"] == "coupon_redeemed"]
    assert len(events) == 1
    assert (
        events[0] | {"code": "K7QX9MZPABCDE", "tier": "coffee", "openid": "o-winner", "ts": str(to_ms(NOW))}
        == events[0]
    )
    # Who redeemed, for the results' redemptions per store and per staff member.
    assert (events[0]["store"], events[0]["staff"]) == ("Store A", f"staff:{operator.id}")


def test_concurrent_redemption_of_one_coupon_has_exactly_one_success(app, live_server, services, code_tier, store):
    coupon = won(code_tier)
    staff = [StaffFactory(role="operator", accounts=[store.account]) for _ in range(8)]
    db.session.commit()
    # Each staff member signs in with a real signed session cookie.
    serializer = app.session_interface.get_signing_serializer(app)
    sessions = []
    for member in staff:
        http = requests.Session()
        http.cookies.set("session", serializer.dumps({"staff_id": member.id}))
        sessions.append(http)
    body = {"code": coupon.code, "store_id": store.id}
    barrier = threading.Barrier(len(sessions))
    answers: list[requests.Response] = []

    def attempt(http):
        barrier.wait(5)
        answers.append(http.post(f"{live_server.url}/redeem/confirm", json=body, timeout=20))

    threads = [threading.Thread(target=attempt, args=(http,)) for http in sessions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    statuses = sorted(a.status_code for a in answers)
    assert statuses == [200] + [409] * 7
    assert all(
        a.json()["error"]["message"] == "Already redeemed at 18:00 by Store A." for a in answers if a.status_code == 409
    )
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Redemption)) == 1
    redeemed = [e for e in stream(services, code_tier.campaign_id) if e["type"] == "coupon_redeemed"]
    assert len(redeemed) == 1


@pytest.mark.parametrize("case", ["guessed", "expired", "foreign", "not_won", "not_yet_valid"])
def test_bad_codes_are_refused_logged_and_change_nothing(ctx, clock, code_tier, store, operator, case):
    other = PrizeTierFactory(coupon_kind="code")  # another account's campaign
    coupons = {
        "guessed": None,
        "expired": won(code_tier, code="EXPIRED0001", valid_until=NOW - timedelta(minutes=1)),
        "foreign": won(other, code="FOREIGN0001"),
        "not_won": CouponCodeFactory(tier_id=code_tier.id, code="NOTWON00001"),
        "not_yet_valid": won(code_tier, code="LATER000001", valid_from=NOW + timedelta(days=1)),
    }
    expected = {
        "guessed": CouponUnknown,
        "expired": CouponNotValid,
        "foreign": CouponForeign,
        "not_won": CouponNotIssued,
        "not_yet_valid": CouponNotValid,
    }[case]
    db.session.commit()
    entered = coupons[case].code if coupons[case] else "ZZZZZZZZZZZZZ"
    before = {c.code: c.state for c in db.session.scalars(select(CouponCode))}

    with pytest.raises(expected):
        redemption.redeem(ctx, redemption.Redeemer(store=store, staff_id=operator.id), entered)

    db.session.expire_all()
    assert {c.code: c.state for c in db.session.scalars(select(CouponCode))} == before
    assert db.session.scalar(select(func.count()).select_from(Redemption)) == 0
    log = db.session.scalars(select(RefusalLog)).all()
    assert [(r.reason, r.code_entered, r.staff_id, r.store_id) for r in log] == [
        (expected.code, entered, operator.id, store.id)
    ]
    assert [r.reason for r in redemption.refusals(ctx)] == [expected.code]


def test_a_redeemed_code_is_refused_and_logged(ctx, code_tier, store, operator):
    coupon = won(code_tier)
    redeemer = redemption.Redeemer(store=store, staff_id=operator.id)
    redemption.redeem(ctx, redeemer, coupon.code)
    with pytest.raises(AlreadyRedeemed, match="Already redeemed at 18:00 by Store A"):
        redemption.redeem(ctx, redeemer, coupon.code)
    assert [r.reason for r in db.session.scalars(select(RefusalLog))] == ["already_redeemed"]


def test_redemption_attempts_are_rate_limited_per_staff_member(client, code_tier, store, operator):
    log_in_staff(client, operator)
    codes = [
        client.post("/redeem/lookup", json={"code": f"GUESS{n:08d}", "store_id": store.id}).status_code
        for n in range(redemption.RATE_LIMIT + 1)
    ]
    assert codes == [404] * redemption.RATE_LIMIT + [429]
    coupon = won(code_tier)
    assert client.post("/redeem/confirm", json={"code": coupon.code, "store_id": store.id}).status_code == 429
    reasons = [r.reason for r in db.session.scalars(select(RefusalLog))]
    assert reasons == ["coupon_unknown"] * redemption.RATE_LIMIT + ["rate_limited"] * 2
    # Another staff member is not held back.
    log_in_staff(client, StaffFactory(role="operator", accounts=[store.account]))
    db.session.commit()
    assert client.post("/redeem/confirm", json={"code": coupon.code, "store_id": store.id}).status_code == 200


def test_store_link_redeems_for_its_store_until_revoked(client, clock, account, campaign, code_tier, store):
    link, token = create_link(db.session, store, campaign=campaign, label="counter")
    other_campaign = CampaignFactory(account=account, status="live")
    elsewhere = won(PrizeTierFactory(campaign=other_campaign, coupon_kind="code"), code="ELSEWHERE001")
    coupon = won(code_tier)

    page = client.get(f"/redeem/s/{token}/")
    assert page.status_code == 200 and "Store A" in page.text
    assert (
        client.post(f"/redeem/s/{token}/confirm", json={"code": elsewhere.code}).json["error"]["code"]
        == "coupon_foreign"
    )
    assert client.post(f"/redeem/s/{token}/confirm", json={"code": coupon.code}).status_code == 200
    row = db.session.scalar(select(Redemption))
    assert (row.store_link_id, row.staff_id) == (link.id, None)

    revoke_link(db.session, link, clock)
    db.session.commit()
    assert client.get(f"/redeem/s/{token}/").status_code == 403
    assert client.post(f"/redeem/s/{token}/lookup", json={"code": coupon.code}).status_code == 403
    assert client.get("/redeem/s/not-a-token/").status_code == 404


def test_the_staff_page_needs_an_operator_or_marketer(client, store):
    assert client.get("/redeem/").status_code == 401
    log_in_staff(client, StaffFactory(role="operator", accounts=[store.account]))
    db.session.commit()
    page = client.get("/redeem/")
    assert page.status_code == 200 and "Store A" in page.text
    stranger = create_store(db.session, store.account, "Store B")
    db.session.commit()
    assert "Store B" in client.get("/redeem/").text and stranger.id
