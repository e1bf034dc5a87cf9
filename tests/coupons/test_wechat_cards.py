"""WeChat cards end to end against the simulator: deposit, cardExt, wallet, pushes, consume."""

from __future__ import annotations

import json

import pytest
import requests
from sqlalchemy import func, select
from wechatpy.exceptions import WeChatClientException

from campaigns.coupons import redeem as redemption
from campaigns.coupons.models import CouponCode, Redemption, RefusalLog
from campaigns.coupons.push import handle_card_event
from campaigns.coupons.services import add_codes, coupon_states
from campaigns.coupons.wechat_cards import card_signature, deposit
from campaigns.errors import AlreadyRedeemed, Busy
from campaigns.keys import CampaignKeys
from extensions import db
from tests.factories import PrizeTierFactory

pytestmark = pytest.mark.clock


def test_card_ext_signature_matches_wechats_official_example():
    signature = card_signature(
        "ojZ8YtyVyr30HheH3CM73y7h4jJE", "1404896688", "pjZ8Yt1XGILfi-FUsewpnnolGgZk", "1434008071", "", "123"
    )
    assert signature == "f137ab68b7f8112d20ee528ab6074564e2796250"


def new_card(ctx, account) -> str:
    client = ctx.wechat_client(account)
    return client.card.create(
        {
            "card": {
                "card_type": "GROUPON",
                "groupon": {
                    "base_info": {
                        "title": "Free coffee",
                        "use_custom_code": True,
                        "get_custom_code_mode": "GET_CUSTOM_CODE_MODE_DEPOSIT",
                        "sku": {"quantity": 0},
                    }
                },
            }
        }
    )


@pytest.fixture
def card_tier(ctx, sim, account, campaign):
    tier = PrizeTierFactory(
        campaign=campaign, tier="card", name="Coffee card", coupon_kind="wechat_card", card_id=new_card(ctx, account)
    )
    db.session.commit()
    return tier


def sim_card(sim, card_id):
    return sim.app.config["SIM_CARDS"].cards[card_id]


def test_codes_are_deposited_in_batches_of_100_and_stock_follows(ctx, sim, card_tier):
    codes = [f"C{n:09d}" for n in range(250)]
    added = add_codes(ctx, card_tier, codes)

    assert added == codes
    card = sim_card(sim, card_tier.card_id)
    assert (len(card.deposited), card.quantity) == (250, 250)
    assert ctx.wechat_client(card_tier.campaign.account).card.get_deposit_count(card_tier.card_id)["count"] == 250
    # The campaign is live: the new codes are in the tier's Redis pool for the draw engine.
    assert ctx.redis.llen(CampaignKeys(card_tier.campaign_id).codes("card")) == 250
    assert db.session.scalar(select(func.count()).select_from(CouponCode).where(CouponCode.state == "available")) == 250
    # Depositing again is harmless: duplicates are accepted and stock is not raised twice.
    again = deposit(ctx.wechat_client(card_tier.campaign.account), card_tier.card_id, codes[:120])
    assert (len(again.accepted), again.stock_added, card.quantity) == (120, 0, 250)


def win(ctx, tier, openid="o-winner") -> CouponCode:
    """What the draw engine and the ledger do: pop a code from the pool and mark it issued to ``openid``."""
    code = ctx.redis.lpop(CampaignKeys(tier.campaign_id).codes(tier.tier))
    coupon = db.session.scalar(select(CouponCode).where(CouponCode.code == code))
    coupon.state, coupon.openid, coupon.draw_seq, coupon.issued_at = "issued", openid, 1, ctx.clock.now()
    db.session.commit()
    return coupon


def follower_http(app, account_id, openid) -> requests.Session:
    http = requests.Session()
    http.cookies.set(
        "session", app.session_interface.get_signing_serializer(app).dumps({f"follower:{account_id}": openid})
    )
    return http


def add_to_wallet(app, live_server, sim, campaign, coupon, openid="o-winner") -> dict:
    http = follower_http(app, campaign.account_id, openid)
    card_list = http.get(f"{live_server.url}/c/{campaign.slug}/coupons/{coupon.code}/card-ext", timeout=10).json()[
        "cardList"
    ]
    return requests.post(f"{sim.url}/sim/cards/add", json={"cardList": card_list}, timeout=10).json()


def deliver_pushes(ctx, sim, account) -> list:
    pushes = sim.app.config["SIM_CARDS"].pushes
    results = [handle_card_event(ctx.session, ctx.redis, account, fields, ctx.clock) for fields in pushes]
    pushes.clear()
    return results


def test_win_add_to_wallet_and_redeem_a_card(app, live_server, ctx, sim, account, campaign, card_tier, store, operator):
    add_codes(ctx, card_tier, [f"C{n:09d}" for n in range(3)])
    coupon = win(ctx, card_tier)

    answer = add_to_wallet(app, live_server, sim, campaign, coupon)
    assert answer["errMsg"] == "addCard:ok"
    wallet = requests.get(f"{sim.url}/sim/cards/wallet/{account.app_id}/o-winner", timeout=10).json()["cards"]
    assert wallet == [{"card_id": card_tier.card_id, "code": coupon.code, "status": "NORMAL"}]
    # WeChat's push moves the coupon into the wallet state, once, even if WeChat retries it.
    sim.app.config["SIM_CARDS"].pushes.append(dict(sim.app.config["SIM_CARDS"].pushes[0]))
    assert deliver_pushes(ctx, sim, account) == ["added", None]
    assert coupon_states(db.session, [coupon.code], ctx.clock) == {coupon.code: "added"}
    events = [f for _, f in ctx.redis.xrange(CampaignKeys(campaign.id).events)]
    assert [(e["type"], e["code"], e["tier"]) for e in events] == [("coupon_added", coupon.code, "card")]
    # Added cards cannot be added again.
    http = follower_http(app, campaign.account_id, "o-winner")
    assert (
        http.get(f"{live_server.url}/c/{campaign.slug}/coupons/{coupon.code}/card-ext", timeout=10).status_code == 409
    )

    described = redemption.redeem(ctx, redemption.Redeemer(store=store, staff_id=operator.id), coupon.code)
    assert described["state"] == "redeemed"
    assert sim_card(sim, card_tier.card_id).received[coupon.code]["status"] == "CONSUMED"
    # The consume push that follows our own consume changes nothing.
    assert deliver_pushes(ctx, sim, account) == [None]
    client = ctx.wechat_client(account)
    assert client.card.get_code(coupon.code, card_tier.card_id, check_consume=False)["user_card_status"] == "CONSUMED"
    with pytest.raises(WeChatClientException) as consumed:
        client.card.get_code(coupon.code, card_tier.card_id)  # check_consume left out means true
    assert consumed.value.errcode == 40099


def test_a_card_consumed_elsewhere_is_reported_as_such(
    app, live_server, ctx, sim, account, campaign, card_tier, store, operator
):
    add_codes(ctx, card_tier, ["D000000001"])
    coupon = win(ctx, card_tier)
    add_to_wallet(app, live_server, sim, campaign, coupon)
    deliver_pushes(ctx, sim, account)
    # Consumed with another tool; its push is lost, so our record still says "added".
    ctx.wechat_client(account).card.consume_code(coupon.code, card_tier.card_id)
    sim.app.config["SIM_CARDS"].pushes.clear()

    with pytest.raises(AlreadyRedeemed, match="already consumed in WeChat"):
        redemption.redeem(ctx, redemption.Redeemer(store=store, staff_id=operator.id), coupon.code)
    db.session.expire_all()
    assert (coupon.state, coupon.redeemed_by) == ("redeemed", "WeChat")
    assert db.session.scalar(select(func.count()).select_from(Redemption)) == 0
    assert [r.reason for r in db.session.scalars(select(RefusalLog))] == ["already_redeemed"]


def test_the_wallet_refuses_a_forged_card_ext_and_a_card_without_stock(
    app, live_server, ctx, sim, account, campaign, card_tier
):
    add_codes(ctx, card_tier, ["E000000001", "E000000002"])
    first, second = win(ctx, card_tier, "o-winner"), win(ctx, card_tier, "o-other")
    http = follower_http(app, campaign.account_id, "o-winner")
    card_list = http.get(f"{live_server.url}/c/{campaign.slug}/coupons/{first.code}/card-ext", timeout=10).json()[
        "cardList"
    ]
    ext = json.loads(card_list[0]["cardExt"])
    forged = dict(ext, code=second.code)
    answer = requests.post(
        f"{sim.url}/sim/cards/add",
        timeout=10,
        json={"cardList": [{"cardId": card_tier.card_id, "cardExt": json.dumps(forged)}]},
    ).json()
    assert answer["errMsg"] == "addCard:fail" and answer["cardList"][0]["errcode"] == 40097
    # Someone else's coupon is not even signed for this follower.
    assert (
        http.get(f"{live_server.url}/c/{campaign.slug}/coupons/{second.code}/card-ext", timeout=10).status_code == 404
    )

    ctx.wechat_client(account).card.modify_stock(card_tier.card_id, -2)
    answer = requests.post(f"{sim.url}/sim/cards/add", json={"cardList": card_list}, timeout=10).json()
    assert answer["cardList"][0]["errcode"] == 45031
    assert sim_card(sim, card_tier.card_id).received == {}
    assert deliver_pushes(ctx, sim, account) == []


def test_unknown_codes_and_qr_tickets_answer_like_wechat(ctx, sim, account, card_tier):
    client = ctx.wechat_client(account)
    with pytest.raises(WeChatClientException) as unknown:
        client.card.consume_code("NOPE000001", card_tier.card_id)
    assert unknown.value.errcode == 40056
    ticket = client.card.create_qrcode(
        {"action_name": "QR_CARD", "action_info": {"card": {"card_id": card_tier.card_id}}}
    )
    assert ticket


def test_when_wechat_cannot_be_reached_the_claim_is_undone(
    app, live_server, ctx, sim, account, campaign, card_tier, store, operator, services
):
    add_codes(ctx, card_tier, ["F000000001"])
    coupon = win(ctx, card_tier)
    services.settings["WECHAT_API_BASE"] = "http://127.0.0.1:1"  # nothing listens there
    ctx.redis.flushdb()  # forget the cached access token, too

    with pytest.raises(Busy):
        redemption.redeem(ctx, redemption.Redeemer(store=store, staff_id=operator.id), coupon.code)
    db.session.expire_all()
    assert (coupon.state, coupon.redeemed_at, coupon.redeemed_by) == ("issued", None, None)
    assert db.session.scalar(select(func.count()).select_from(Redemption)) == 0

    services.settings["WECHAT_API_BASE"] = sim.url
    add_to_wallet(app, live_server, sim, campaign, coupon)
    assert (
        redemption.redeem(ctx, redemption.Redeemer(store=store, staff_id=operator.id), coupon.code)["state"]
        == "redeemed"
    )
