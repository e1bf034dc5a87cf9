"""Building published campaigns for the draw engine's tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from campaigns.clock import FixedClock
from campaigns.draws.publish import publish
from tests.factories import CampaignFactory, CouponCodeFactory, PrizeTierFactory

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


def draft_with_prizes(session, *, prizes, fallback=("none", "谢谢参与", 90), codes=None, **campaign_fields):
    """A draft campaign with ``prizes`` [(tier, weight, stock, release, coupon)] plus a fallback tier."""
    fields = {"starts_at": NOW - timedelta(days=1), "ends_at": NOW + timedelta(days=13)}
    fields.update(campaign_fields)
    campaign = CampaignFactory(**fields)
    for position, (tier, weight, stock, release, coupon) in enumerate(prizes):
        PrizeTierFactory(
            campaign=campaign,
            position=position,
            tier=tier,
            name=f"prize {tier}",
            weight=weight,
            stock=stock,
            release=release,
            coupon_kind=coupon,
        )
    name, label, weight = fallback
    PrizeTierFactory(
        campaign=campaign,
        position=len(prizes),
        tier=name,
        name=label,
        weight=weight,
        stock=0,
        release="all",
        is_fallback=True,
    )
    session.flush()
    session.refresh(campaign)
    for tier in campaign.tiers:
        for code in (codes or {}).get(tier.tier, []):
            CouponCodeFactory(tier_id=tier.id, code=code)
    session.flush()
    return campaign


def published_with_prizes(session, services, *, min_interval_ms=0, at=NOW, **kwargs):
    """A campaign made by :func:`draft_with_prizes` and published (committed)."""
    campaign = draft_with_prizes(session, **kwargs)
    publish(
        session,
        services.redis,
        campaign,
        clock=FixedClock(at),
        secrets=services.secrets,
        min_interval_ms=min_interval_ms,
    )
    session.commit()
    return campaign


def published_around_redis_clock(session, services):
    """A campaign of one prize (gold, 5 in stock, weight 50) and its fallback, running from an hour ago for three
    days by the system clock: for draws through the script on the Redis server's own clock (``at=None``)."""
    now = datetime.now(UTC)
    return published_with_prizes(
        session,
        services,
        prizes=[("gold", 50, 5, "all", "none")],
        fallback=("none", "谢谢", 50),
        at=now,
        starts_at=now - timedelta(hours=1),
        ends_at=now + timedelta(days=3),
    )


def context(services, session):
    """The services' context on the test's stores."""
    return services.context(session)


def play(services, session, campaign, openid, key, *, at=NOW, client_seed=None):
    """One draw through the engine at instant ``at``: the tests' fixed clock unless given, the Redis clock if None."""
    from campaigns.clock import to_ms
    from campaigns.draws import engine
    from campaigns.draws import services as draws

    ctx = context(services, session)
    fair = draws.fairness_for(session, campaign, services.secrets)
    return engine.run(
        services.redis,
        campaign.id,
        fair,
        player=draws.player_of(ctx, campaign, openid),
        openid=openid,
        idempotency_key=key,
        client_seed=client_seed,
        at_ms=None if at is None else to_ms(at),
    )


def ingest_all(services, campaign_id):
    """Move the campaign's stream into SQL as the worker does."""
    from campaigns.recorder import ingest_campaign

    session = services.session_factory()
    try:
        return ingest_campaign(session, services.redis, campaign_id, "test-consumer", time_budget_s=20)
    finally:
        session.close()
