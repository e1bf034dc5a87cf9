"""The follower JSON endpoints over real HTTP handling (Flask test client), with the error shape."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from campaigns.draws import fairness, inventory
from campaigns.draws import publish as lifecycle
from extensions import db
from tests.factories import StaffFactory

from .helpers import ingest_all, published_with_prizes

OPENID = "o-follower-0000000000000001"


@pytest.fixture
def campaign(services):
    now = datetime.now(UTC)
    return published_with_prizes(
        db.session,
        services,
        prizes=[("gold", 50, 2, "all", "code")],
        fallback=("none", "谢谢", 50),
        codes={"gold": ["GOLD-1", "GOLD-2"]},
        plays_per_day=3,
        at=now,
        starts_at=now - timedelta(hours=1),
        ends_at=now + timedelta(days=3),
    )


def _login(client, campaign, openid=OPENID):
    with client.session_transaction() as s:
        s[f"follower:{campaign.account_id}"] = openid


def _draw(client, slug, key="idem-key-0001", body=None, headers=None):
    h = {"Idempotency-Key": key} if key else {}
    h.update(headers or {})
    return client.post(f"/c/{slug}/draw", json=body or {}, headers=h)


def test_draw_returns_the_contract_body_and_replays_by_key(client, campaign):
    _login(client, campaign)
    me = client.get(f"/c/{campaign.slug}/me").get_json()
    assert me["next_nonce"] == 0 and me["plays_left_today"] == 3 and me["status"] == "live"
    assert me["server_seed_hash"] == campaign.server_seed_hash and fairness.valid_client_seed(me["client_seed"])
    response = _draw(client, campaign.slug)
    assert response.status_code == 200
    body = response.get_json()
    assert set(body) == {
        "seq",
        "nonce",
        "client_seed",
        "ts",
        "drawn_tier",
        "awarded_tier",
        "reason",
        "rules_version",
        "win",
        "prize",
        "coupon",
        "player",
    }
    assert body["client_seed"] == me["client_seed"] and body["nonce"] == 0 and body["seq"] == 1
    assert body["player"] == {
        "client_seed": me["client_seed"],
        "next_nonce": 1,
        "plays_left_today": 2,
        "plays_left_total": None,
        "wins": int(body["win"]),
    }
    if body["win"]:
        assert body["coupon"]["code"] == "GOLD-1" and body["prize"]["coupon_kind"] == "code"
    assert _draw(client, campaign.slug).get_json() == body
    assert client.get(f"/c/{campaign.slug}/me").get_json()["next_nonce"] == 1


def test_errors_have_the_one_shape_and_never_500(client, campaign):
    assert _draw(client, campaign.slug).status_code == 401
    _login(client, campaign)
    missing = _draw(client, campaign.slug, key=None)
    assert missing.status_code == 400 and missing.get_json()["error"]["code"] == "invalid_input"
    assert _draw(client, campaign.slug, key="short").status_code == 400
    bad_seed = _draw(client, campaign.slug, body={"client_seed": "has space"})
    assert bad_seed.status_code == 400
    form = client.post(
        f"/c/{campaign.slug}/draw",
        data="client_seed=x",
        headers={"Idempotency-Key": "idem-key-0002"},
        content_type="application/x-www-form-urlencoded",
    )
    assert form.status_code == 400
    garbage = client.post(
        f"/c/{campaign.slug}/draw",
        data="{not json",
        content_type="application/json",
        headers={"Idempotency-Key": "idem-key-0003"},
    )
    assert garbage.status_code == 400 and garbage.get_json()["error"]["code"] == "invalid_input"
    for i in range(3):
        assert _draw(client, campaign.slug, key=f"idem-key-1{i:03d}").status_code == 200
    limited = _draw(client, campaign.slug, key="idem-key-2000")
    assert limited.status_code == 429 and limited.get_json()["error"]["code"] == "limit_reached"
    me = client.get(f"/c/{campaign.slug}/me").get_json()
    assert me["plays_left_today"] == 0 and me["next_play_at"] is not None
    assert (
        client.post("/c/no-such-campaign/draw", json={}, headers={"Idempotency-Key": "idem-key-3000"}).status_code
        == 404
    )


def test_paused_and_ended_campaigns_refuse_with_409(client, campaign, services):
    _login(client, campaign)
    lifecycle.pause(db.session, services.redis, campaign)
    db.session.commit()
    paused = _draw(client, campaign.slug)
    assert paused.status_code == 409 and paused.get_json()["error"]["code"] == "paused"
    lifecycle.end(db.session, services.redis, campaign, services.clock)
    db.session.commit()
    ended = _draw(client, campaign.slug, key="idem-key-0009")
    assert ended.status_code == 409 and ended.get_json()["error"]["code"] == "ended"


def test_redis_down_is_503_busy(client, campaign, services, monkeypatch):
    _login(client, campaign)
    from campaigns.redisconn import connect

    monkeypatch.setattr(services, "redis", connect("redis://127.0.0.1:1/0", socket_connect_timeout=0.2))
    response = _draw(client, campaign.slug)
    assert response.status_code == 503 and response.get_json()["error"]["code"] == "busy"


def test_client_seed_change_applies_to_the_next_draw(client, campaign, services):
    _login(client, campaign)
    assert client.put(f"/c/{campaign.slug}/client-seed", json={"client_seed": "x y"}).status_code == 400
    me = client.put(f"/c/{campaign.slug}/client-seed", json={"client_seed": "my-lucky-seed"}).get_json()
    assert me["client_seed"] == "my-lucky-seed"
    body = _draw(client, campaign.slug).get_json()
    seed = services.secrets.open(campaign.server_seed_sealed)
    prizes = [{"tier": t.tier, "weight": t.weight} for t in campaign.tiers]
    assert body["client_seed"] == "my-lucky-seed"
    assert body["drawn_tier"] == fairness.drawn_tier(seed, "my-lucky-seed", 0, prizes)


def test_prizes_fairness_and_ledger_after_reveal(client, campaign, services):
    _login(client, campaign)
    bodies = [
        _draw(client, campaign.slug, key=f"idem-key-{i:04d}", body={"client_seed": "fixed-seed"}).get_json()
        for i in range(3)
    ]
    wins = [b for b in bodies if b["win"]]
    listed = client.get(f"/c/{campaign.slug}/prizes").get_json()["prizes"]
    assert [p["seq"] for p in listed] == [b["seq"] for b in wins]
    assert all(p["coupon"]["state"] == "issued" for p in listed)
    fair = client.get(f"/c/{campaign.slug}/fairness").get_json()
    assert fair["revealed"] is False and fair["server_seed"] is None
    assert fair["versions"][0]["from_seq"] == 1
    assert fair["versions"][0]["rules_hash"] == fairness.rules_hash(fair["versions"][0]["rules"])
    assert client.get(f"/c/{campaign.slug}/ledger.jsonl").status_code == 403
    ingest_all(services, campaign.id)
    lifecycle.end(db.session, services.redis, campaign, services.clock)
    db.session.commit()
    fair = client.get(f"/c/{campaign.slug}/fairness").get_json()
    assert fair["revealed"] is True and fairness.seed_hash(fair["server_seed"]) == fair["server_seed_hash"]
    lines = [
        json.loads(line) for line in client.get(f"/c/{campaign.slug}/ledger.jsonl").get_data(as_text=True).splitlines()
    ]
    assert [line["seq"] for line in lines] == [1, 2, 3]
    assert set(lines[0]) == {
        "seq",
        "ts",
        "player",
        "client_seed",
        "nonce",
        "drawn_tier",
        "awarded_tier",
        "reason",
        "rules_version",
    }
    prizes = fair["versions"][0]["rules"]["prizes"]
    for line, body in zip(lines, bodies, strict=False):
        assert (
            line["drawn_tier"]
            == body["drawn_tier"]
            == fairness.drawn_tier(fair["server_seed"], line["client_seed"], line["nonce"], prizes)
        )
    assert client.get(f"/c/{campaign.slug}/verify").status_code == 200


def test_demo_seed_publishes_with_a_commitment_and_redis_inventory(runner, services):
    from sqlalchemy import select

    from campaigns.catalog.models import Campaign
    from campaigns.keys import CampaignKeys

    assert runner.invoke(args=["demo", "seed"]).exit_code == 0
    for campaign in db.session.scalars(select(Campaign)):
        # Every demo campaign is published with a commitment; the finished one has ended since.
        expected = "ended" if campaign.slug == "autumn-demo" else "live"
        assert campaign.status == expected and len(campaign.server_seed_hash) == 64
        assert services.redis.hget(CampaignKeys(campaign.id).state, "status") == expected
        if expected == "live":
            assert [v.version for v in campaign.rules_versions] == [1]


def test_cli_verify_and_reconcile(runner, services, campaign):
    from .helpers import play

    for i in range(3):
        play(services, db.session, campaign, f"o{i}", f"cli-key-{i:04d}", at=None)  # a campaign of the real clock
    drift = runner.invoke(args=["campaigns", "reconcile", campaign.slug])
    assert drift.exit_code == 0, drift.output
    assert '"awaiting_ingest": 3' in drift.output
    ingest_all(services, campaign.id)
    assert runner.invoke(args=["campaigns", "verify", campaign.slug]).output.strip().endswith("3 draws verified")
    services.redis.flushall()
    lost = runner.invoke(args=["campaigns", "reconcile", campaign.slug])
    assert lost.exit_code == 1 and "Redis lost data" in lost.output
    repaired = runner.invoke(args=["campaigns", "reconcile", campaign.slug, "--repair"])
    assert repaired.exit_code == 0, repaired.output
    assert inventory.counters(services.redis, campaign.id)["seq"] == 3
    # Redis lost the campaign's rate limit too: the repair restores the default, so play a second later.
    after = play(services, db.session, campaign, "o0", "cli-key-0100", at=datetime.now(UTC) + timedelta(seconds=1))
    assert (after["seq"], after["nonce"]) == (4, 1)
    ingest_all(services, campaign.id)
    assert runner.invoke(args=["campaigns", "verify", campaign.slug]).exit_code == 0
    StaffFactory(email="ops@example.com", role="admin")
    db.session.commit()
    for command in ("pause", "resume", "end"):
        assert runner.invoke(args=["campaigns", command, campaign.slug, "--as", "ops@example.com"]).exit_code == 0
    assert runner.invoke(args=["campaigns", "pause", campaign.slug, "--as", "ops@example.com"]).exit_code != 0


def test_me_shows_plays_wins_and_out_of_prizes_as_the_draws_leave_them(client, services):
    now = datetime.now(UTC)
    campaign = published_with_prizes(
        db.session,
        services,
        prizes=[("gold", 1, 1, "all", "none")],
        fallback=("none", "谢谢", 0),
        plays_per_day=2,
        at=now,
        starts_at=now - timedelta(hours=1),
        ends_at=now + timedelta(days=3),
    )
    _login(client, campaign)
    before = client.get(f"/c/{campaign.slug}/me").get_json()
    assert (before["out_of_prizes"], before["wins"], before["plays_left_today"]) == (False, 0, 2)
    assert _draw(client, campaign.slug).get_json()["awarded_tier"] == "gold"
    after = client.get(f"/c/{campaign.slug}/me").get_json()
    assert (after["out_of_prizes"], after["wins"], after["plays_left_today"]) == (True, 1, 1)
    assert after["client_seed"] == before["client_seed"] and after["next_nonce"] == 1
