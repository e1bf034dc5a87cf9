"""A game URL from the account's reply carries ``ch``: the visit keeps it, through the login too."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from campaigns.keys import CampaignKeys
from extensions import db
from tests.games.helpers import log_in, make_campaign


def visits(services, campaign) -> list[dict]:
    return [f for _, f in services.redis.xrange(CampaignKeys(campaign.id).events) if f["type"] == "visit"]


def test_a_visit_through_a_channel_url_records_the_channel(client, services):
    campaign = make_campaign()
    db.session.commit()
    log_in(client, campaign)
    assert client.get(f"/c/{campaign.slug}/?ch=tea%3Atable").status_code == 200
    assert client.get(f"/c/{campaign.slug}/").status_code == 200
    assert client.get(f"/c/{campaign.slug}/?ch=" + "x" * 65).status_code == 200  # not a channel: ignored
    assert [v["ch"] for v in visits(services, campaign)] == ["tea:table", "", ""]


def test_the_login_comes_back_to_the_channel_url(client):
    campaign = make_campaign()
    db.session.commit()
    answer = client.get(f"/c/{campaign.slug}/?ch=tea%3Atable")
    assert answer.status_code == 302
    [back] = parse_qs(urlsplit(answer.headers["Location"]).query)["next"]
    assert back == f"/c/{campaign.slug}/?ch=tea%3Atable"
