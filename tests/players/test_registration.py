"""A follower becomes a player when the worker ingests their first draw: no follower request writes SQL."""

from __future__ import annotations

from sqlalchemy import func, select

from campaigns import events, recorder
from campaigns.keys import INGEST_GROUP, CampaignKeys
from campaigns.players.models import Follower, Player
from extensions import db
from tests.factories import CampaignFactory
from tests.streams import append_draw

T0 = 1_795_000_000_000


def _draw(redis, campaign_id: int, seq: int, openid: str, player: str) -> None:
    append_draw(redis, campaign_id, seq, openid, T0 + seq, player)


def _players(campaign_id: int) -> dict[str, str]:
    db.session.expire_all()
    rows = db.session.execute(
        select(Follower.openid, Player.pseudonym).join(Player).where(Player.campaign_id == campaign_id)
    )
    return dict(rows.all())


def test_ingested_draws_register_each_player_once_with_their_pseudonym(app, services):
    campaign = CampaignFactory()
    db.session.commit()
    keys = CampaignKeys(campaign.id)
    recorder.ensure_group(services.redis, keys.events)
    for seq, (openid, player) in enumerate([("o-a", "pa"), ("o-b", "pb"), ("o-a", "pa")], start=1):
        _draw(services.redis, campaign.id, seq, openid, player)
    events.append(services.redis, campaign.id, "visit", "o-visitor", T0)  # a visit alone makes no player

    recorder.ingest_campaign(db.session, services.redis, campaign.id, "c1")
    assert _players(campaign.id) == {"o-a": "pa", "o-b": "pb"}
    # Delivered again (a consumer died after its commit): nobody is registered twice.
    services.redis.xgroup_setid(keys.events, INGEST_GROUP, "0")
    recorder.ingest_campaign(db.session, services.redis, campaign.id, "c2")
    assert _players(campaign.id) == {"o-a": "pa", "o-b": "pb"}
    followers = select(func.count()).select_from(Follower).where(Follower.account_id == campaign.account_id)
    assert db.session.scalar(followers) == 2
