"""The unchanged engine on a real three-master Redis Cluster on loopback (same redis-server binary)."""

from __future__ import annotations

import pytest

from bench.stack import start_cluster
from campaigns.clock import FixedClock
from campaigns.draws import engine, public, reconcile
from campaigns.draws import publish as lifecycle
from campaigns.draws import services as draws
from campaigns.errors import LimitReached
from campaigns.keys import CampaignKeys
from campaigns.recorder import ingest_campaign
from campaigns.redisconn import connect
from extensions import db

from .helpers import NOW, draft_with_prizes

pytestmark = pytest.mark.cluster


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """Three masters on loopback joined by ``redis-cli --cluster create``; yields a cluster URL."""
    nodes, url = start_cluster(tmp_path_factory.mktemp("cluster"))
    try:
        yield url
    finally:
        for node in nodes:
            node.stop()


def test_engine_runs_unchanged_on_a_cluster(services, cluster):
    client = connect(cluster)
    campaign = draft_with_prizes(
        db.session,
        prizes=[("gold", 1_000_000, 2, "all", "code"), ("flash", 0, 1, "moments", "none")],
        fallback=("none", "x", 1),
        codes={"gold": ["K1", "K2", "K3"]},
        plays_per_day=4,
    )
    lifecycle.publish(db.session, client, campaign, clock=FixedClock(NOW), secrets=services.secrets, min_interval_ms=0)
    db.session.commit()
    fair = draws.fairness_for(db.session, campaign, services.secrets)
    end_ms = int(campaign.ends_at.timestamp() * 1000) - 1
    results = [
        engine.run(
            client, campaign.id, fair, player=f"p{i}", openid=f"o{i}", idempotency_key=f"cluster-{i:04d}", at_ms=end_ms
        )
        for i in range(4)
    ]
    assert [r["awarded_tier"] for r in results] == ["flash", "gold", "gold", "none"]
    assert sorted(r["code"] for r in results if r["code"]) == ["K1", "K2"]
    for i in range(3):
        engine.run(client, campaign.id, fair, player="p0", openid="o0", idempotency_key=f"again-{i:04d}", at_ms=end_ms)
    with pytest.raises(LimitReached):
        engine.run(client, campaign.id, fair, player="p0", openid="o0", idempotency_key="again-9999", at_ms=end_ms)
    version = lifecycle.top_up(db.session, client, campaign, {"gold": 3}, services.clock, services.secrets)
    db.session.commit()
    assert version.from_seq == 8
    assert client.xlen(CampaignKeys(campaign.id).events) == 7
    session = services.session_factory()
    try:
        assert ingest_campaign(session, client, campaign.id, "cluster-consumer", time_budget_s=10) == 7
    finally:
        session.close()
    db.session.expire_all()
    assert reconcile.compare(db.session, client, campaign).problems == []
    assert public.verify_campaign(db.session, campaign, services.secrets) == 7
