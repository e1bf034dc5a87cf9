"""Service notices through the simulator over HTTP: off by default, a winner told once, an expiry reminder,
refusals recorded and never retried, WeChat's quota respected, and the game page saying whether they are on."""

from __future__ import annotations

from datetime import timedelta

import pytest
import requests
from sqlalchemy import select

from campaigns import tasks
from campaigns.wechat import notices
from campaigns.wechat.models import Notice
from extensions import db
from tests.factories import NOW, CampaignFactory, CouponCodeFactory, DrawFactory, PrizeTierFactory
from tests.games.helpers import log_in
from tests.wechat.pushes import AES_KEY, TOKEN

pytestmark = pytest.mark.clock

ON = {"enabled": True, "winner_template_id": "TPL-WIN", "expiry_template_id": "TPL-EXP", "reminder_days": 3}


@pytest.fixture
def campaign(services, sim_live_server, simulator, clock):
    simulator.state.clock = lambda: clock.now().timestamp()
    campaign = CampaignFactory(status="live", published_at=NOW - timedelta(days=1), look={"title": "春日刮刮卡"})
    PrizeTierFactory(campaign=campaign, tier="gold", name="茶礼盒")
    PrizeTierFactory(campaign=campaign, tier="none", name="谢谢参与", is_fallback=True)
    db.session.commit()
    account = campaign.account
    simulator.state.register(account.app_id, secret="app-secret", token=TOKEN, aes_key=AES_KEY, slug=account.slug)
    return campaign


def follower(simulator, campaign, name: str, *, follows: bool = True, refuses: bool = False) -> str:
    user = simulator.state.set_following(campaign.account.app_id, name, follows)
    user.refuses_notices = refuses
    return user.openid


def win(campaign, openid: str, tier: str = "gold") -> None:
    DrawFactory(campaign_id=campaign.id, openid=openid, drawn_tier=tier, awarded_tier=tier)
    db.session.commit()


def sent(simulator) -> list[tuple[str, str, str]]:
    return [(t["user"], t["template_id"], t["data"]["keyword1"]["value"]) for t in simulator.state.templates]


def statuses(campaign) -> dict[tuple[str, str], tuple[str, int | None]]:
    db.session.expire_all()
    rows = db.session.scalars(select(Notice).where(Notice.campaign_id == campaign.id))
    return {(n.openid, n.kind): (n.status, n.errcode) for n in rows}


def turn_on(campaign, doc=ON) -> None:
    notices.configure(db.session, None, campaign, doc, NOW)
    db.session.commit()


def test_notices_are_off_by_default(simulator, campaign):
    win(campaign, follower(simulator, campaign, "amy"))
    assert tasks.send_notices() == 0 and simulator.state.templates == []


def test_a_winner_is_told_once_and_refusals_are_recorded_and_not_retried(simulator, campaign):
    amy, ben = follower(simulator, campaign, "amy"), follower(simulator, campaign, "ben", follows=False)
    cat = follower(simulator, campaign, "cat", refuses=True)
    for openid in (amy, amy, ben, cat):
        win(campaign, openid)
    win(campaign, follower(simulator, campaign, "dan"), tier="none")  # no prize, no notice
    turn_on(campaign)
    assert tasks.send_notices() == 1
    assert sent(simulator) == [("amy", "TPL-WIN", "茶礼盒")]
    assert simulator.state.templates[0]["url"].endswith(f"/c/{campaign.slug}/")
    assert statuses(campaign) == {
        (amy, "winner"): ("sent", None),
        (ben, "winner"): ("refused", 43004),
        (cat, "winner"): ("refused", 43101),
    }
    assert tasks.send_notices() == 0 and len(simulator.state.templates) == 1
    listed = requests.get(simulator.url + "/sim/templates").json()["templates"]
    assert [t["user"] for t in listed] == ["amy"] and "恭喜你在「春日刮刮卡」中奖" in requests.get(simulator.url).text


def test_an_unredeemed_coupon_expiring_soon_gets_one_reminder(simulator, campaign, clock):
    amy, ben = follower(simulator, campaign, "amy"), follower(simulator, campaign, "ben")
    gold = campaign.tiers[0]
    for openid, days in ((amy, 2), (ben, 10)):
        CouponCodeFactory(tier_id=gold.id, state="issued", openid=openid, valid_until=NOW + timedelta(days=days))
    db.session.commit()
    turn_on(campaign, {**ON, "reminder_days": 3})
    tasks.send_notices()
    [(user, template, prize)] = sent(simulator)
    assert (user, template, prize) == ("amy", "TPL-EXP", "茶礼盒")
    assert simulator.state.templates[0]["data"]["keyword2"]["value"] == "11月25日 18:00"
    clock.advance(days=1)
    tasks.send_notices()
    assert len(simulator.state.templates) == 1


def test_the_daily_quota_and_wechats_refusal_to_go_faster_leave_the_rest_for_later(services, simulator, campaign):
    for name in ("amy", "ben", "cat"):
        win(campaign, follower(simulator, campaign, name))
    turn_on(campaign)
    services.settings["TEMPLATE_DAILY_QUOTA"] = 1
    assert tasks.send_notices() == 1
    services.settings["TEMPLATE_DAILY_QUOTA"] = 100
    requests.post(simulator.url + "/sim/misbehave", json={"rate_limit": 1, "rate_errcode": 45009})
    assert tasks.send_notices() == 0  # refused for the quota: claim given back, nothing recorded
    assert [status for status, _ in statuses(campaign).values()] == ["sent"]
    assert tasks.send_notices() == 2 and len(simulator.state.templates) == 3


def test_bad_settings_are_refused_with_every_problem(campaign):
    with pytest.raises(notices.InvalidInput) as refused:
        notices.configure(db.session, None, campaign, {"enabled": True, "reminder_days": 0}, NOW)
    assert set(refused.value.fields) == {"winner_template_id", "expiry_template_id", "reminder_days"}


def test_the_game_page_says_whether_notices_are_on(app, campaign):
    client = app.test_client()
    client.environ_base["HTTP_USER_AGENT"] = "MicroMessenger"
    log_in(client, campaign)
    assert 'id="notices-on"' not in client.get(f"/c/{campaign.slug}/").get_data(as_text=True)
    turn_on(campaign)
    assert 'id="notices-on"' in client.get(f"/c/{campaign.slug}/").get_data(as_text=True)
