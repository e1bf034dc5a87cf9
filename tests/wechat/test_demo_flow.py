"""What `make run` promises, with the demo data and the simulator's defaults and no other setup."""

from __future__ import annotations

import requests

from campaigns import demo
from campaigns.keys import CampaignKeys
from extensions import db
from tests.wechat.helpers import login_through_simulator


def test_login_then_a_channel_follow_and_an_unfollow_reach_the_demo_campaign(app, services, sim_live_server, simulator):
    campaigns = demo.seed(db.session, services.secrets, services.clock)
    for campaign in campaigns:
        campaign.status = "live"
    db.session.commit()
    scratch = next(c for c in campaigns if c.slug == "scratch-demo")

    session = requests.Session()
    landed = login_through_simulator(session, sim_live_server.url, "scratch-demo", "visitor", next_path="/healthz")
    assert landed.status_code == 200

    for event, scene in (("subscribe", "scratch-demo:poster"), ("unsubscribe", "")):
        sent = requests.post(
            simulator.url + "/sim/push", json={"user": "visitor", "event": event, "scene": scene}
        ).json()
        assert sent["status"] == "delivered" and sent["mode"] == "aes"
    entries = [fields for _, fields in services.redis.xrange(CampaignKeys(scratch.id).events)]
    openid = simulator.state.user(demo.DEMO_APP_ID, "visitor").openid
    assert [(e["type"], e["openid"], e["channel"]) for e in entries] == [
        ("follow", openid, "海报"),
        ("unfollow", openid, ""),
    ]
