"""Many processes drawing at once against the real Redis: never oversold, no code twice, stores agree."""

from __future__ import annotations

import multiprocessing
from collections import Counter
from datetime import timedelta

from sqlalchemy import select

from campaigns.clock import to_ms
from campaigns.coupons.models import CouponCode
from campaigns.draws import public, reconcile
from campaigns.draws.models import Draw
from campaigns.keys import CampaignKeys
from extensions import db

from .helpers import NOW, ingest_all, published_with_prizes
from .workers import draw_many

PROCESSES = 4


def _hammer(services, campaign, redis_url, plays_per_process, at_ms):
    seed = services.secrets.open(campaign.server_seed_sealed)
    prizes = [{"tier": t.tier, "weight": t.weight} for t in campaign.tiers]
    fallback = next(t.tier for t in campaign.tiers if t.is_fallback)
    jobs = [(redis_url, campaign.id, seed, prizes, fallback, plays, at_ms) for plays in plays_per_process]
    with multiprocessing.get_context("spawn").Pool(PROCESSES) as pool:
        chunks = pool.starmap(draw_many, jobs)
    return [r for chunk in chunks for r in chunk]


def _stores_agree(services, campaign):
    ingest_all(services, campaign.id)
    db.session.expire_all()
    report = reconcile.compare(db.session, services.redis, campaign)
    assert report.problems == [] and report.awaiting_ingest == 0
    seqs = db.session.scalars(select(Draw.seq).where(Draw.campaign_id == campaign.id).order_by(Draw.seq)).all()
    assert seqs == list(range(1, len(seqs) + 1))
    assert public.verify_campaign(db.session, campaign, services.secrets) == len(seqs)
    return report


def test_small_stock_is_awarded_exactly_once_per_unit(services, redis_server):
    codes = [f"C{i:03d}" for i in range(8)]
    campaign = published_with_prizes(
        db.session, services, prizes=[("gold", 30, 8, "all", "code")], fallback=("none", "x", 70), codes={"gold": codes}
    )
    plays = [[(f"p{w}-{i}", f"key-{w}-{i:04d}") for i in range(60)] for w in range(PROCESSES)]
    results = _hammer(services, campaign, redis_server.url, plays, to_ms(NOW))
    draws = [r for r in results if isinstance(r, dict)]
    assert len(draws) == PROCESSES * 60
    gold = [r for r in draws if r["awarded_tier"] == "gold"]
    assert len(gold) == 8
    assert sorted(r["code"] for r in gold) == codes
    assert sorted(r["seq"] for r in draws) == list(range(1, len(draws) + 1))
    report = _stores_agree(services, campaign)
    assert report.awarded_redis["gold"] == 8
    issued = db.session.scalars(select(CouponCode).where(CouponCode.state == "issued")).all()
    assert sorted(c.code for c in issued) == codes
    assert {c.code: c.draw_seq for c in issued} == {r["code"]: r["seq"] for r in gold}


def test_one_player_hammering_from_many_connections_gets_exactly_the_daily_plays(services, redis_server):
    campaign = published_with_prizes(db.session, services, prizes=[("gold", 10, 100, "all", "none")], plays_per_day=5)
    plays = [[("same-player", f"key-{w}-{i:04d}") for i in range(10)] for w in range(PROCESSES)]
    results = _hammer(services, campaign, redis_server.url, plays, to_ms(NOW))
    draws = [r for r in results if isinstance(r, dict)]
    assert len(draws) == 5
    assert sorted(r["nonce"] for r in draws) == [0, 1, 2, 3, 4]
    assert set(r for r in results if not isinstance(r, dict)) <= {"limit_reached", "busy"}
    _stores_agree(services, campaign)


def test_each_winning_moment_is_awarded_exactly_once(services, redis_server):
    campaign = published_with_prizes(
        db.session, services, prizes=[("flash", 0, 6, "moments", "none")], fallback=("none", "x", 1)
    )
    at_ms = to_ms(campaign.ends_at.replace(tzinfo=NOW.tzinfo) - timedelta(milliseconds=1))
    plays = [[(f"p{w}-{i}", f"key-{w}-{i:04d}") for i in range(10)] for w in range(PROCESSES)]
    results = _hammer(services, campaign, redis_server.url, plays, at_ms)
    won = Counter(r["reason"] for r in results if isinstance(r, dict) and r["awarded_tier"] == "flash")
    assert won == {"moment": 6}
    assert services.redis.zcard(CampaignKeys(campaign.id).moments("flash")) == 0
    _stores_agree(services, campaign)
