"""The real-winners ticker's list: only the ledger's wins, one cached list per campaign, no made-up entry."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import event

from campaigns.catalog import document
from campaigns.draws.models import Draw
from campaigns.draws.winners import cached_wins, last_wins
from campaigns.keys import CampaignKeys
from extensions import db
from tests.console.conftest import campaign_doc
from tests.factories import NOW
from tests.games.helpers import log_in, make_campaign


def ledger_line(campaign, seq: int, tier: str, player: str) -> Draw:
    line = Draw(
        campaign_id=campaign.id,
        seq=seq,
        ts=NOW + timedelta(seconds=seq),
        openid=f"o-{seq}",
        player=player,
        client_seed="seed",
        nonce=seq,
        drawn_tier=tier,
        awarded_tier=tier,
        rules_version=1,
    )
    db.session.add(line)
    db.session.flush()
    return line


def test_the_list_is_the_last_wins_of_the_ledger_newest_first_without_losses(app):
    campaign = make_campaign(look={"winners": 2})
    ledger_line(campaign, 1, "gold", "a1b2c3d4e5")
    ledger_line(campaign, 2, "none", "ffff0000aa")
    ledger_line(campaign, 3, "silver", "0badc0ffee")
    ledger_line(campaign, 4, "gold", "5eed5eed00")

    assert last_wins(db.session, campaign) == [
        {"seq": 4, "player": "5eed", "prize": "一等奖 咖啡"},
        {"seq": 3, "player": "0bad", "prize": "二等奖 半价券"},
    ]


def test_a_campaign_without_a_ticker_lists_nothing(app):
    campaign = make_campaign()
    ledger_line(campaign, 1, "gold", "a1b2c3d4e5")
    assert last_wins(db.session, campaign) == []


def test_followers_share_one_list_per_campaign_rebuilt_at_most_every_few_seconds(app, services):
    campaign = make_campaign(look={"winners": 5})
    ledger_line(campaign, 1, "gold", "a1b2c3d4e5")
    db.session.commit()
    queries = []
    listen = lambda *args: queries.append(args[2]) if "FROM draw" in args[2] else None  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listen)
    try:
        first = [cached_wins(services.redis, db.session, campaign.id) for _ in range(20)]
        ledger_line(campaign, 2, "silver", "0badc0ffee")
        db.session.commit()
        still = cached_wins(services.redis, db.session, campaign.id)
        services.redis.delete(CampaignKeys(campaign.id).winners_refresh)  # the few seconds have passed
        fresh = cached_wins(services.redis, db.session, campaign.id)
    finally:
        event.remove(db.engine, "before_cursor_execute", listen)

    assert first == [[{"seq": 1, "player": "a1b2", "prize": "一等奖 咖啡"}]] * 20
    assert still == first[0]
    assert [entry["seq"] for entry in fresh] == [2, 1]
    assert len(queries) == 2
    assert 0 < services.redis.pttl(CampaignKeys(campaign.id).winners_refresh) <= 5000


def test_the_endpoint_serves_the_list_of_a_published_campaign(client, services):
    from tests.games.helpers import published

    campaign = published(services, "grid", look={"winners": 3})
    log_in(client, campaign)
    page = client.get(f"/c/{campaign.slug}/").get_data(as_text=True)
    reply = client.get(f"/c/{campaign.slug}/winners")

    assert 'id="ticker"' in page
    assert reply.status_code == 200 and reply.get_json() == {"winners": []}
    assert client.get("/c/no-such-campaign/winners").status_code == 404


def test_the_look_only_counts_wins_shown_so_nobody_can_type_a_winner_in():
    _, problems = document.parse(campaign_doc(look={"winners": [{"player": "张**", "prize": "iPhone"}]}))
    assert "look.winners" in problems
    _, problems = document.parse(campaign_doc(look={"winners": 21}))
    assert problems["look.winners"] == "Use at most 20."
    values, problems = document.parse(campaign_doc(look={"winners": "5"}))
    assert not problems and values["look"] == {"winners": 5}
