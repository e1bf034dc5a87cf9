"""A follower acts only as themselves: no drawing for another openid, no reading another's
prizes or coupons, and guessing codes at a store link is rate-limited and logged."""

from __future__ import annotations

from sqlalchemy import select

from campaigns.coupons import redeem as redemption
from campaigns.coupons.models import RefusalLog
from campaigns.coupons.stores import create_link, create_store
from extensions import db
from tests.games.helpers import ledger, make_campaign, published

from .helpers import follower_client, post_draw

# Nearly every draw wins gold (a coupon code); the fallback is there because a campaign needs one.
WINNING = (("gold", "一等奖", 1000, 50, False), ("none", "谢谢参与", 1, 0, True))


def win(client, campaign) -> dict:
    """Draw until the follower wins gold (almost always the first draw)."""
    for _ in range(10):
        body = post_draw(client, campaign).get_json()
        if body["win"]:
            return body
    raise AssertionError("no win in ten draws at 1000:1")


def test_nothing_in_the_request_chooses_whose_draw_it_is(app, services):
    campaign = published(services, prizes=WINNING)
    mallory = follower_client(app, campaign, "o-mallory")
    forged = {"openid": "o-victim", "player": "o-victim", "follower": "o-victim"}
    answer = mallory.post(
        f"/c/{campaign.slug}/draw?openid=o-victim&player=o-victim",
        json=forged,
        headers={"Idempotency-Key": "same-key-0001", "X-Openid": "o-victim"},
    )
    assert answer.status_code == 200
    victim = follower_client(app, campaign, "o-victim")
    assert victim.get(f"/c/{campaign.slug}/me").get_json()["next_nonce"] == 0
    assert [d.openid for d in ledger(services, campaign)] == ["o-mallory"]
    # The same Idempotency-Key from another follower is a different draw, not a replay of Mallory's.
    other = victim.post(f"/c/{campaign.slug}/draw", json={}, headers={"Idempotency-Key": "same-key-0001"}).get_json()
    assert other["seq"] == 2
    assert [d.openid for d in ledger(services, campaign)] == ["o-mallory", "o-victim"]


def test_prizes_list_only_the_logged_in_followers_own_wins(app, services):
    campaign = published(services, prizes=WINNING, codes={"gold": 5})
    alice, bob = follower_client(app, campaign, "o-alice"), follower_client(app, campaign, "o-bob")
    won = win(alice, campaign)
    assert [p["coupon"]["code"] for p in alice.get(f"/c/{campaign.slug}/prizes").get_json()["prizes"]] == [
        won["coupon"]["code"]
    ]
    for query in ("", "?openid=o-alice", "?player=o-alice"):
        assert bob.get(f"/c/{campaign.slug}/prizes{query}").get_json()["prizes"] == []


def test_a_coupon_is_shown_only_to_its_winner_and_only_under_its_own_campaign(app, services):
    campaign = published(services, prizes=WINNING, codes={"gold": 5})
    sibling = make_campaign(account=campaign.account)  # another campaign of the same account
    db.session.commit()
    alice, bob = follower_client(app, campaign, "o-alice"), follower_client(app, campaign, "o-bob")
    code = win(alice, campaign)["coupon"]["code"]
    assert alice.get(f"/c/{campaign.slug}/coupons/{code}").status_code == 200
    for path in (
        f"/c/{campaign.slug}/coupons/{code}",
        f"/c/{campaign.slug}/coupons/{code}.png",
        f"/c/{campaign.slug}/coupons/{code}/card-ext",
        f"/c/{campaign.slug}/coupons/{code}?openid=o-alice",
    ):
        assert bob.get(path).status_code == 404, path
    assert alice.get(f"/c/{sibling.slug}/coupons/{code}").status_code == 404
    # Codes never won answer exactly like codes that do not exist: nothing to learn by probing.
    unknown, unwon = (
        bob.get(f"/c/{campaign.slug}/coupons/{c}", headers={"Accept": "application/json"}).get_json()
        for c in ("NOPE00000000", f"C{campaign.id}GOLD0004")
    )
    assert unknown == unwon and unknown["error"]["code"] == "not_found"


def test_guessing_codes_at_a_store_link_is_rate_limited_and_every_guess_logged(app, services):
    campaign = published(services, prizes=WINNING, codes={"gold": 3})
    store = create_store(db.session, campaign.account, "Store A")
    _link, token = create_link(db.session, store, campaign=campaign, label="counter")
    db.session.commit()
    guesser = app.test_client()
    answers = [
        guesser.post(f"/redeem/s/{token}/lookup", json={"code": f"GUESS{n:07d}"}).status_code
        for n in range(redemption.RATE_LIMIT + 2)
    ]
    assert answers == [404] * redemption.RATE_LIMIT + [429, 429]
    reasons = [r.reason for r in db.session.scalars(select(RefusalLog).order_by(RefusalLog.id))]
    assert reasons == ["coupon_unknown"] * redemption.RATE_LIMIT + ["rate_limited"] * 2
    # A real winner's code is refused too while the link is locked out.
    alice = follower_client(app, campaign, "o-alice")
    code = win(alice, campaign)["coupon"]["code"]
    assert guesser.post(f"/redeem/s/{token}/confirm", json={"code": code}).status_code == 429
