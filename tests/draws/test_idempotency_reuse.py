"""The same Idempotency-Key with another request body: 422 ``idempotency_key_reused``, the first draw untouched.

Found from outside (issue 16): a reused key with a different body silently answered the
first draw. Replays with the same body still answer it, byte for byte.
"""

from __future__ import annotations

import pytest

from campaigns.draws import engine
from campaigns.keys import CampaignKeys, idempotency_field
from campaigns.players.services import key_material, pseudonym
from extensions import db

from .helpers import published_around_redis_clock

OPENID = "o-follower-0000000000000001"
KEY = "reused-key-000001"


@pytest.fixture
def campaign(services):
    # The script reads the Redis server's clock, so the campaign runs around it.
    campaign = published_around_redis_clock(db.session, services)
    return campaign


@pytest.fixture
def follower(client, campaign):
    with client.session_transaction() as session:
        session[f"follower:{campaign.account_id}"] = OPENID
    return client


def _draw(client, campaign, body, key=KEY):
    return client.post(f"/c/{campaign.slug}/draw", json=body, headers={"Idempotency-Key": key})


def _redis_state(services, campaign) -> tuple:
    keys = CampaignKeys(campaign.id)
    return services.redis.hgetall(keys.state), services.redis.xlen(keys.events)


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ({"client_seed": "seed-one"}, {"client_seed": "seed-two"}),
        ({}, {"client_seed": "seed-two"}),
        ({"client_seed": "seed-one"}, {}),
    ],
)
def test_a_key_reused_with_another_body_is_422_and_the_first_draw_stands(follower, services, campaign, first, second):
    original = _draw(follower, campaign, first)
    assert original.status_code == 200
    before = _redis_state(services, campaign)

    reused = _draw(follower, campaign, second)

    assert reused.status_code == 422
    assert reused.json["error"]["code"] == "idempotency_key_reused"
    assert _redis_state(services, campaign) == before  # nothing drawn, nothing changed
    replay = _draw(follower, campaign, first)
    assert (replay.status_code, replay.json) == (200, original.json)


def test_replays_with_the_same_body_answer_the_first_draw(follower, services, campaign):
    original = _draw(follower, campaign, {"client_seed": "seed-one"})
    # An ignored key asks for the same draw.
    for body in ({"client_seed": "seed-one"}, {"client_seed": "seed-one", "note": "retry"}):
        assert _draw(follower, campaign, body).json == original.json
    assert _draw(follower, campaign, {}, key="another-key-0001").json["seq"] == original.json["seq"] + 1


def test_the_replay_record_carries_the_fingerprint_before_the_result(follower, services, campaign):
    _draw(follower, campaign, {"client_seed": "seed-one"})
    player = pseudonym(key_material(services.settings), campaign.id, OPENID)
    stored = services.redis.hget(CampaignKeys(campaign.id).state, idempotency_field(player, KEY))
    fingerprint, _, result = stored.partition("|")
    assert fingerprint == engine.fingerprint("seed-one") and len(fingerprint) == 12
    assert result.startswith("ok,1,")
    assert engine.fingerprint(None) == ""


def test_a_replay_record_stored_before_fingerprints_still_replays(follower, services, campaign):
    original = _draw(follower, campaign, {})
    state = CampaignKeys(campaign.id).state
    field = next(f for f in services.redis.hkeys(state) if f.startswith("i:"))
    services.redis.hset(state, field, services.redis.hget(state, field).partition("|")[2])
    assert _draw(follower, campaign, {"client_seed": "whatever"}).json == original.json
