"""The card wallet's pushes reach the app's real WeChat webhook over HTTP, signed and encrypted."""

from __future__ import annotations

import pytest
import requests

from campaigns.coupons import redeem as redemption
from campaigns.coupons.services import add_codes, coupon_states
from campaigns.keys import CampaignKeys
from extensions import db
from tests.factories import PrizeTierFactory

from .test_wechat_cards import follower_http, new_card, win

pytestmark = pytest.mark.clock


def test_adding_and_consuming_a_card_reach_the_coupon_through_the_webhook(
    app, live_server, pushing_sim, ctx, services, account, campaign, store, operator
):
    tier = PrizeTierFactory(campaign=campaign, tier="card", coupon_kind="wechat_card", card_id=new_card(ctx, account))
    db.session.commit()
    add_codes(ctx, tier, ["W000000001"])
    coupon = win(ctx, tier)

    http = follower_http(app, campaign.account_id, "o-winner")
    card_list = http.get(f"{live_server.url}/c/{campaign.slug}/coupons/{coupon.code}/card-ext", timeout=10).json()[
        "cardList"
    ]
    added = requests.post(f"{pushing_sim.url}/sim/cards/add", json={"cardList": card_list}, timeout=20).json()
    assert added["errMsg"] == "addCard:ok"
    assert pushing_sim.app.config["SIM_STATE"].pushes[-1]["status"] == "delivered"
    db.session.expire_all()
    assert coupon_states(db.session, [coupon.code], ctx.clock) == {coupon.code: "added"}

    redemption.redeem(ctx, redemption.Redeemer(store=store, staff_id=operator.id), coupon.code)
    assert pushing_sim.app.config["SIM_STATE"].pushes[-1]["event"] == "user_consume_card"
    db.session.expire_all()
    assert (coupon.state, coupon.redeemed_by) == ("redeemed", "Store A")
    types = [f["type"] for _, f in services.redis.xrange(CampaignKeys(campaign.id).events)]
    assert types == ["coupon_added", "coupon_redeemed"]
