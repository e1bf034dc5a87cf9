"""Cash red packets: WeChat Pay's signature on a fixed vector, and a won red packet paid end to end
(win -> ledger -> job -> SENT -> RECEIVED) over HTTP against the simulator, once, whatever happens."""

from __future__ import annotations

import threading

import pytest
import requests
from rq import SimpleWorker
from sqlalchemy import select
from wechatpy.pay.utils import calculate_signature, calculate_signature_hmac

from campaigns import tasks
from campaigns.coupons.models import CouponCode, RedPacket
from campaigns.coupons.payouts import PayContext, mch_billno, pay
from campaigns.coupons.services import generate_missing
from campaigns.draws import fairness
from campaigns.draws.publish import publish
from campaigns.wechat.pay import set_merchant
from extensions import db
from simulator.pay import DEMO_MCH_ID, DEMO_PAY_KEY, sign
from tests.games.helpers import ledger, log_in, make_campaign

# WeChat Pay's own example (its signature guide): these parameters and key sign to these values.
VECTOR = {"appid": "wxd930ea5d5a258f4f", "mch_id": "10000100", "device_info": "1000", "body": "test"}
VECTOR["nonce_str"] = "ibuaiVcKdpRxkhJA"
VECTOR_KEY = "192006250b4c09247ec02edce69f6a2d"
VECTOR_MD5 = "9A0A8659F005D6984697E2CA0A9CF3B7"
VECTOR_HMAC = "6A9AE1657590FD6257D693A078E1C3E4BB6BA4DC30B23E0EE2496E54170DACD6"


def test_wechat_pay_signatures_on_a_fixed_vector():
    assert calculate_signature(VECTOR, VECTOR_KEY) == VECTOR_MD5 == sign(VECTOR, VECTOR_KEY)
    assert calculate_signature_hmac(VECTOR, VECTOR_KEY) == VECTOR_HMAC == sign(VECTOR, VECTOR_KEY, "HMAC-SHA256")


def test_a_red_packet_amount_is_drawn_from_the_digest_within_its_range():
    digest = fairness.digest("ab" * 32, "seed", 7)
    amounts = {
        fairness.red_packet_amount(fairness.digest("ab" * 32, "seed", n), {"min": 100, "max": 888}) for n in range(200)
    }
    assert min(amounts) >= 100 and max(amounts) <= 888 and len(amounts) > 100
    assert fairness.red_packet_amount(digest, {"min": 500, "max": 500}) == 500


@pytest.fixture
def pay_wired(app, simulator):
    """WeChat Pay is the simulator, over HTTP."""
    app.extensions["services"].settings.update(WECHAT_PAY_BASE=simulator.url, WECHAT_PAY_TIMEOUT_S=1)
    return simulator.app.config["SIM_PAY"]


def published_cash(services, amount_range=(None, None)):
    """A live campaign whose every draw wins a ¥8.88 red packet (or one in ``amount_range``), its merchant set."""
    prizes = (("cash", "现金红包", 1, 5, False), ("none", "谢谢参与", 0, 0, True))
    campaign = make_campaign("scratch", prizes, status="draft")
    campaign.tiers[0].coupon_kind, campaign.tiers[0].value_minor = "red_packet", 888
    campaign.tiers[0].amount_min_minor, campaign.tiers[0].amount_max_minor = amount_range
    generate_missing(db.session, campaign)
    publish(db.session, services.redis, campaign, clock=services.clock, secrets=services.secrets, min_interval_ms=0)
    set_merchant(
        db.session, services.secrets, campaign.account, mch_id=DEMO_MCH_ID, api_key=DEMO_PAY_KEY, send_name="演示品牌"
    )
    db.session.commit()
    return campaign


@pytest.fixture
def cash_campaign(services, pay_wired):
    return published_cash(services)


def won(client, services, campaign, openid="o-fan") -> CouponCode:
    log_in(client, campaign, openid)
    answer = client.post(f"/c/{campaign.slug}/draw", json={}, headers={"Idempotency-Key": f"key-{openid}"})
    assert answer.get_json()["awarded_tier"] == "cash"
    ledger(services, campaign)
    db.session.expire_all()
    coupon = db.session.scalar(select(CouponCode).where(CouponCode.openid == openid))
    page = client.get(f"/c/{campaign.slug}/coupons/{coupon.code}/claim").get_data(as_text=True)
    assert 'id="claim-button"' in page
    # The winner taps 领取: the fraud checks pass, and the payout may go.
    claimed = client.post(f"/c/{campaign.slug}/coupons/{coupon.code}/claim", json={})
    assert claimed.get_json() == {"claim": {"state": "paying", "step": "open_in_wechat"}}
    return coupon


def ctx(services) -> PayContext:
    return PayContext(db.session, services.redis, services.clock, services.secrets, services.settings)


def run_jobs(services) -> None:
    SimpleWorker([services.queue], connection=services.queue.connection).work(burst=True)


def test_win_ledger_job_sent_received(client, services, cash_campaign, pay_wired, simulator):
    coupon = won(client, services, cash_campaign)
    assert tasks.pay_due_red_packets() == 1
    run_jobs(services)
    db.session.expire_all()
    packet = db.session.scalar(select(RedPacket))
    billno = mch_billno(DEMO_MCH_ID, cash_campaign.id, coupon.draw_seq)
    assert (packet.status, packet.mch_billno, packet.amount_minor) == ("SENT", billno, 888)
    listed = requests.get(f"{simulator.url}/sim/state", timeout=5).json()["red_packets"]
    assert listed == [{"mch_billno": billno, "openid": "o-fan", "amount": 888, "status": "SENT"}]
    claim = client.get(f"/c/{cash_campaign.slug}/prizes").get_json()["prizes"][0]["claim"]
    assert claim == {"state": "sent", "step": "open_in_wechat"}
    assert tasks.pay_due_red_packets() == 0

    opened = requests.post(f"{simulator.url}/sim/pay/redpacks/{billno}/open", json={"openid": "o-fan"}, timeout=5)
    assert opened.status_code == 200
    assert tasks.reconcile_red_packets() == 1
    db.session.expire_all()
    assert db.session.scalar(select(RedPacket)).status == "RECEIVED"
    assert client.get(f"/c/{cash_campaign.slug}/prizes").get_json()["prizes"][0]["claim"]["state"] == "received"


def test_the_same_payout_run_twice_at_once_pays_once(client, services, app, cash_campaign, pay_wired):
    coupon = won(client, services, cash_campaign)
    pay_wired.failures, pay_wired.hang_s = ["HANG"], 0.5  # the first send is slow, so the two overlap
    app.extensions["services"].settings["WECHAT_PAY_TIMEOUT_S"] = 5
    results = []

    def run():
        with services.session_factory() as session:
            packet = pay(PayContext(session, services.redis, services.clock, services.secrets, services.settings),
                         coupon.id)  # fmt: skip
            results.append(packet.status if packet else None)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    assert sorted(results, key=str) == [None, "SENT"]
    assert pay_wired.sends == 1 and len(pay_wired.packets) == 1


def test_a_timed_out_payout_is_looked_up_never_sent_under_a_new_billno(client, services, cash_campaign, pay_wired):
    coupon = won(client, services, cash_campaign)
    pay_wired.failures, pay_wired.hang_s = ["HANG"], 2.0  # paid, but the answer comes after the client's 1 s
    assert pay(ctx(services), coupon.id).status == "unknown"
    assert pay(ctx(services), coupon.id).status == "SENT"
    assert pay_wired.sends == 1 and list(pay_wired.packets) == [db.session.scalar(select(RedPacket)).mch_billno]


@pytest.mark.parametrize("code", ["NOTENOUGH", "SYSTEMERROR", "FREQ_LIMIT"])
def test_busy_answers_are_retried_with_backoff_and_the_same_billno(client, services, cash_campaign, pay_wired, code):
    coupon = won(client, services, cash_campaign)
    pay_wired.failures = [code]
    first = pay(ctx(services), coupon.id)
    assert (first.status, first.attempts) == ("pending", 1) and first.last_error.startswith(code)
    assert (first.next_attempt_at.replace(tzinfo=None) - services.clock.now().replace(tzinfo=None)).total_seconds() > 20
    billno = first.mch_billno
    again = pay(ctx(services), coupon.id)
    assert (again.status, again.mch_billno, again.attempts) == ("SENT", billno, 2)


def test_another_refusal_fails_with_wechats_words(client, services, cash_campaign, pay_wired):
    coupon = won(client, services, cash_campaign)
    pay_wired.merchants[DEMO_MCH_ID]["api_key"] = "X" * 32  # the merchant changed its key: SIGN_ERROR
    packet = pay(ctx(services), coupon.id)
    assert packet.status == "FAILED" and "SIGN_ERROR" in packet.last_error


def test_a_random_amount_is_the_one_the_committed_range_and_the_draws_digest_give(client, services, pay_wired):
    from campaigns.draws.models import Draw

    campaign = published_cash(services, (100, 888))
    assert campaign.rules_versions[0].rules_json.count('"amount":{"max":888,"min":100}') == 1
    coupon = won(client, services, campaign)
    packet = pay(ctx(services), coupon.id)
    draw = db.session.scalar(select(Draw).where(Draw.seq == coupon.draw_seq))
    seed = services.secrets.open(campaign.server_seed_sealed)
    expected = fairness.red_packet_amount(fairness.digest(seed, draw.client_seed, draw.nonce), {"min": 100, "max": 888})
    assert packet.status == "SENT" and packet.amount_minor == expected and 100 <= expected <= 888


def test_an_unopened_red_packet_is_refunded_after_24_hours(client, services, cash_campaign, pay_wired):
    now = [1_800_000_000.0]
    pay_wired.clock = lambda: now[0]
    coupon = won(client, services, cash_campaign)
    assert pay(ctx(services), coupon.id).status == "SENT"
    balance = pay_wired.merchants[DEMO_MCH_ID]["balance"]
    now[0] += 23 * 3600
    assert tasks.reconcile_red_packets() == 0
    now[0] += 2 * 3600
    assert tasks.reconcile_red_packets() == 1
    db.session.expire_all()
    assert db.session.scalar(select(RedPacket)).status == "REFUND"
    assert pay_wired.merchants[DEMO_MCH_ID]["balance"] == balance + 888
    claim = client.get(f"/c/{cash_campaign.slug}/prizes").get_json()["prizes"][0]["claim"]
    assert claim == {"state": "refunded", "step": "none"}


def test_the_claim_page_shows_the_amount_and_the_console_the_payout(client, services, cash_campaign, pay_wired):
    from tests.factories import StaffFactory

    from .conftest import log_in_staff

    coupon = won(client, services, cash_campaign)
    pay(ctx(services), coupon.id)
    page = client.get(f"/c/{cash_campaign.slug}/coupons/{coupon.code}/claim").get_data(as_text=True)
    assert "¥8.88" in page and "已发出" in page
    staff = StaffFactory(role="marketer", accounts=[cash_campaign.account])
    db.session.commit()
    log_in_staff(client, staff)
    listing = client.get(f"/console/campaigns/{cash_campaign.slug}/claims").get_data(as_text=True)
    assert mch_billno(DEMO_MCH_ID, cash_campaign.id, coupon.draw_seq) in listing and "SENT" in listing


def test_merchant_settings_are_sealed_and_audited(client, services, cash_campaign):
    from campaigns.coupons.models import MerchantAccount
    from campaigns.staff.models import AuditEntry
    from tests.factories import StaffFactory

    from .conftest import log_in_staff

    admin = StaffFactory(role="admin")
    db.session.commit()
    log_in_staff(client, admin)
    url = f"/console/accounts/{cash_campaign.account.slug}/pay"
    refused = client.post(url, data={"mch_id": "12ab", "api_key": "short", "send_name": "演示品牌"})
    assert refused.status_code == 400
    key = "K" * 31 + "9"
    saved = client.post(
        url, data={"mch_id": "1234567890", "api_key": key, "send_name": "品牌", "sign_type": "HMAC-SHA256"}
    )
    assert saved.status_code == 302
    db.session.expire_all()
    merchant = db.session.scalar(select(MerchantAccount))
    assert merchant.mch_id == "1234567890" and key not in merchant.api_key_sealed
    assert services.secrets.open(merchant.api_key_sealed) == key
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "merchant.set"))
    assert entry.after["mch_id"] == "1234567890" and key not in str(entry.after)
    assert key not in client.get(url).get_data(as_text=True)
