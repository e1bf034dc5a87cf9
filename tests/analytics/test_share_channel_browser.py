"""In Chromium: the game page's visit records the URL's channel, and links shared from it carry ch=share."""

from __future__ import annotations

from datetime import timedelta

import pytest

from campaigns import events
from campaigns.draws.publish import publish
from campaigns.keys import CampaignKeys
from campaigns.players.services import key_material, pseudonym
from extensions import db
from tests.factories import NOW, CampaignFactory, ChannelFactory, PrizeTierFactory

pytestmark = [pytest.mark.browser, pytest.mark.clock]


def test_the_visit_keeps_the_channel_and_the_share_menu_sends_the_share_channel(app, services, sim_live_server, phone):
    campaign = CampaignFactory(starts_at=NOW - timedelta(days=1), ends_at=NOW + timedelta(days=5))
    PrizeTierFactory(campaign=campaign, tier="cup", weight=1, stock=5, position=0)
    PrizeTierFactory(campaign=campaign, tier="none", weight=9, stock=0, position=1, is_fallback=True)
    ChannelFactory(campaign=campaign, scene="shop:table-card")
    db.session.commit()
    publish(db.session, services.redis, campaign, clock=services.clock, secrets=services.secrets)
    db.session.commit()
    cookie = app.session_interface.get_signing_serializer(app).dumps({f"follower:{campaign.account_id}": "o-fan"})
    phone.context.add_cookies([{"name": "session", "value": cookie, "url": sim_live_server.url}])

    phone.goto(f"{sim_live_server.url}/c/{campaign.slug}/?ch=shop:table-card")
    phone.wait_for_function("() => window.wx && wx.shared && wx.shared.length >= 2", timeout=10_000)
    shared = phone.evaluate("() => wx.shared")

    links = {entry["api"]: entry["opts"]["link"] for entry in shared}
    sharer = pseudonym(key_material(services.settings), campaign.id, "o-fan")  # who shared it, never rewarded
    expected = f"{sim_live_server.url}/c/{campaign.slug}/?ch=share&from={sharer}"
    assert links == {"updateAppMessageShareData": expected, "updateTimelineShareData": expected}
    visits = [
        e
        for _, e in events.read(services.redis.xrange(CampaignKeys(campaign.id).events), campaign.id)
        if e["type"] == "visit"
    ]
    assert [v["ch"] for v in visits] == ["shop:table-card"]
