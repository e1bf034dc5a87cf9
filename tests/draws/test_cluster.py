"""The unchanged engine on a real three-master Redis Cluster on loopback (same redis-server binary)."""
from __future__ import annotations

import os
import random
import socket
import subprocess
import time

import pytest

from campaigns.analytics.ingest import ingest_campaign
from campaigns.catalog import publish as lifecycle
from campaigns.clock import FixedClock
from campaigns.draws import engine, public, reconcile, services as draws
from campaigns.errors import LimitReached
from campaigns.keys import CampaignKeys
from campaigns.redisconn import RedisServer, connect, server_binary
from extensions import db

from .helpers import NOW, make_campaign

pytestmark = pytest.mark.cluster


def _free(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _free_port() -> int:
    """A free port below 55536 whose cluster bus port (+10000) is free too."""
    for _ in range(200):
        port = random.randint(20000, 45000)
        if _free(port) and _free(port + 10000):
            return port
    raise RuntimeError("no free port pair for a cluster node")


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """Three masters on loopback joined by ``redis-cli --cluster create``; yields a cluster URL."""
    base = tmp_path_factory.mktemp("cluster")
    nodes = []
    try:
        for i in range(3):
            node = RedisServer(base / f"node{i}", port=_free_port(), unixsocket=False, cluster_enabled="yes",
                               cluster_config_file="nodes.conf", cluster_node_timeout="2000")
            nodes.append(node.start())
        cli = os.path.join(os.path.dirname(server_binary()[0]), "redis-cli")
        subprocess.run([cli, "--cluster", "create", *[f"127.0.0.1:{n.port}" for n in nodes],
                        "--cluster-replicas", "0", "--cluster-yes"], check=True, capture_output=True, timeout=30)
        deadline = time.monotonic() + 15
        while connect(nodes[0].url).cluster("info").get("cluster_state") != "ok":
            assert time.monotonic() < deadline, "the cluster did not become ready"
            time.sleep(0.1)
        yield f"redis+cluster://127.0.0.1:{nodes[0].port}"
    finally:
        for node in nodes:
            node.stop()


def test_engine_runs_unchanged_on_a_cluster(services, cluster):
    client = connect(cluster)
    campaign = make_campaign(db.session, prizes=[("gold", 1_000_000, 2, "all", "code"), ("flash", 0, 1, "moments", "none")],
                             fallback=("none", "x", 1), codes={"gold": ["K1", "K2", "K3"]}, plays_per_day=4)
    lifecycle.publish(db.session, client, campaign, clock=FixedClock(NOW), secrets=services.secrets, min_interval_ms=0)
    db.session.commit()
    fair = draws.fairness_for(db.session, campaign, services.secrets)
    end_ms = int(campaign.ends_at.timestamp() * 1000) - 1
    results = [engine.run(client, campaign.id, fair, player=f"p{i}", openid=f"o{i}", idempotency_key=f"cluster-{i:04d}",
                          at_ms=end_ms) for i in range(4)]
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
