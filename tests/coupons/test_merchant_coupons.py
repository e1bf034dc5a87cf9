"""WeChat Pay merchant coupons (商家券, API v3) through the thin client, against the simulator over HTTP:
a stock, a won coupon sent to the winner's openid when claimed, and ``coupons/use`` when a store redeems it."""

from __future__ import annotations

import pytest
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from sqlalchemy import select

from campaigns.coupons import redeem as redemption
from campaigns.coupons.models import CouponCode
from campaigns.coupons.services import generate_missing
from campaigns.coupons.stores import create_store
from campaigns.draws.publish import publish
from campaigns.errors import AlreadyRedeemed
from campaigns.wechat.busifavor import MerchantCouponError, MerchantCoupons
from campaigns.wechat.pay import set_merchant
from extensions import db
from simulator.pay import DEMO_MCH_ID, DEMO_PAY_KEY
from tests.factories import StaffFactory
from tests.games.helpers import ledger, log_in, make_campaign

SERIAL = "5157F09EFDC096DE15EBE81A47057A7232F1B8E1"


def new_key() -> tuple[str, str]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    public = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    return private, public


@pytest.fixture
def merchant_key(app, simulator):
    app.extensions["services"].settings.update(WECHAT_PAY_BASE=simulator.url)
    private, public = new_key()
    answer = requests.post(
        f"{simulator.url}/sim/pay/busifavor/merchants",
        json={"mch_id": DEMO_MCH_ID, "serial_no": SERIAL, "public_key_pem": public},
        timeout=5,
    )
    assert answer.json()["errcode"] == 0
    return private


def client_for(simulator, private) -> MerchantCoupons:
    return MerchantCoupons(simulator.url, DEMO_MCH_ID, SERIAL, private)


def test_a_request_signed_with_another_key_is_refused(simulator, merchant_key):
    other, _ = new_key()
    with pytest.raises(MerchantCouponError) as refused:
        client_for(simulator, other).create_stock("咖啡券", DEMO_MCH_ID, "stock-1")
    assert (refused.value.status, refused.value.code) == (401, "SIGN_ERROR")


def coupon_campaign(services, stock_id: str | None, private: str):
    prizes = (("coupon", "咖啡立减券", 1, 3, False), ("none", "谢谢参与", 0, 0, True))
    campaign = make_campaign("scratch", prizes, status="draft")
    campaign.tiers[0].coupon_kind, campaign.tiers[0].card_id = "merchant_coupon", stock_id
    set_merchant(db.session, services.secrets, campaign.account, mch_id=DEMO_MCH_ID, api_key=DEMO_PAY_KEY,
                 send_name="演示品牌", key_pem=private, cert_pem="-", cert_serial=SERIAL)  # fmt: skip
    db.session.flush()
    return campaign


def test_a_merchant_coupon_prize_needs_its_stock_id_to_publish(services, merchant_key):
    from campaigns.catalog.validation import problems_for

    campaign = coupon_campaign(services, None, merchant_key)
    problems = problems_for(db.session, campaign, services.clock.now())
    assert problems["prizes[0].card_id"] == "Enter the stock_id of the merchant coupons."


def test_won_claimed_sent_to_the_openid_and_used_once_in_store(client, services, simulator, merchant_key):
    stock_id = client_for(simulator, merchant_key).create_stock("咖啡立减券", DEMO_MCH_ID, "stock-2")
    campaign = coupon_campaign(services, stock_id, merchant_key)
    generate_missing(db.session, campaign)
    publish(db.session, services.redis, campaign, clock=services.clock, secrets=services.secrets, min_interval_ms=0)
    db.session.commit()

    log_in(client, campaign, "o-fan")
    client.post(f"/c/{campaign.slug}/draw", json={}, headers={"Idempotency-Key": "key-coupon-1"})
    ledger(services, campaign)
    code = client.get(f"/c/{campaign.slug}/prizes").get_json()["prizes"][0]["coupon"]["code"]
    assert 'id="claim-button"' in client.get(f"/c/{campaign.slug}/coupons/{code}/claim").get_data(as_text=True)
    claimed = client.post(f"/c/{campaign.slug}/coupons/{code}/claim", json={})
    assert claimed.get_json() == {"claim": {"state": "to_use", "step": "show_in_store"}}
    sent = requests.get(f"{simulator.url}/sim/pay/busifavor/coupons", timeout=5).json()["coupons"]
    assert [(c["stock_id"], c["coupon_code"], c["openid"], c["state"]) for c in sent] == [
        (stock_id, code, "o-fan", "SENDED")
    ]
    db.session.expire_all()
    assert db.session.scalar(select(CouponCode).where(CouponCode.code == code)).state == "added"

    store = create_store(db.session, campaign.account, "Store A")
    operator = StaffFactory(role="operator", accounts=[campaign.account])
    db.session.commit()
    ctx = services.context(db.session)
    redeemer = redemption.Redeemer(store=store, staff_id=operator.id)
    redemption.redeem(ctx, redeemer, code)
    used = requests.get(f"{simulator.url}/sim/pay/busifavor/coupons", timeout=5).json()["coupons"]
    assert used[0]["state"] == "USED" and used[0]["use_request_no"] == f"use-{code}"
    with pytest.raises(AlreadyRedeemed):
        redemption.redeem(ctx, redeemer, code)
