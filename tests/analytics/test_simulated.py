"""On a simulated campaign, the numpy statistics equal a straightforward Python computation."""

from collections import defaultdict
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from campaigns import recorder
from campaigns.analytics import simulate, stats
from campaigns.analytics.by_channel import channel_totals, placements
from campaigns.analytics.models import Event
from campaigns.clock import to_ms
from campaigns.draws.publish import publish
from extensions import db
from tests.factories import CampaignFactory, ChannelFactory, PrizeTierFactory

pytestmark = pytest.mark.clock

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
DAY = 24 * 3600 * 1000


def simulated_campaign(services, players=400, days=10):
    campaign = CampaignFactory(
        starts_at=NOW - timedelta(days=days - 0.5), ends_at=NOW + timedelta(days=3), plays_per_day=3
    )
    PrizeTierFactory(campaign=campaign, tier="big", weight=1, stock=5, position=0, coupon_kind="code")
    PrizeTierFactory(campaign=campaign, tier="small", weight=20, stock=400, position=1, coupon_kind="code")
    PrizeTierFactory(campaign=campaign, tier="none", weight=79, stock=0, position=2, is_fallback=True)
    ChannelFactory(campaign=campaign, scene="sim-poster")
    db.session.commit()
    db.session.refresh(campaign)
    return campaign, simulated(services, campaign, days, players, seed=3)


def simulated(services, campaign, days, players, seed=7):
    """Publish ``campaign`` and give it a simulated history through the real draw script, ingested."""
    publish(db.session, services.redis, campaign, clock=services.clock, secrets=services.secrets)
    db.session.commit()
    counts = simulate.simulate_published(
        db.session, services.redis, services.secrets, services.settings, campaign, days, players, to_ms(NOW), seed
    )
    recorder.ingest_campaign(db.session, services.redis, campaign.id, "test", count=5000)
    return counts


def straightforward(campaign, rows: list[Event], begun: int, playable: int) -> dict[str, list]:
    """Every definition of docs/metrics.md with plain Python sets and dicts, one event at a time."""
    zone = ZoneInfo(campaign.timezone)
    first = campaign.starts_at.astimezone(zone).date()
    day = lambda ms: (datetime.fromtimestamp(ms / 1000, tz=zone).date() - first).days  # noqa: E731
    sets = defaultdict(lambda: defaultdict(set))
    counts = defaultdict(lambda: defaultdict(int))
    first_draw = {}
    visits = defaultdict(list)
    follows = defaultdict(list)
    for e in sorted(rows, key=lambda e: e.ts_ms):
        d = day(e.ts_ms)
        if e.type == "visit":
            sets["visitors"][d].add(e.openid)
            visits[e.openid].append(e.ts_ms)
        elif e.type == "draw":
            counts["plays"][d] += 1
            sets["players"][d].add(e.openid)
            first_draw.setdefault(e.openid, d)
            if e.data["awarded_tier"] != "none":
                sets["winners"][d].add(e.openid)
                counts["prize:" + e.data["awarded_tier"]][d] += 1
        elif e.type in ("coupon_added", "coupon_redeemed"):
            counts[e.type.replace("coupon_", "coupons_")][d] += 1
        elif e.type == "follow" and e.data.get("via") != "scan":
            scene = e.data.get("scene", "")
            ours = scene == "sim-poster" or (scene == "" and any(0 <= e.ts_ms - v <= DAY for v in visits[e.openid]))
            follows[e.openid].append((e.ts_ms, ours))
            counts["follows"][d] += ours
        elif e.type == "unfollow":
            earlier = [ours for ts, ours in follows[e.openid] if ts <= e.ts_ms]
            counts["unfollows"][d] += bool(earlier and earlier[-1])
    out = defaultdict(list)
    total = 0
    for d in range(begun):
        new = {o for o, f in first_draw.items() if f == d}
        out["visitors"].append(len(sets["visitors"][d]))
        out["players"].append(len(sets["players"][d]))
        out["plays"].append(counts["plays"][d])
        out["new_players"].append(len(new))
        out["returning_players"].append(len(sets["players"][d]) - len(new))
        out["winners"].append(len(sets["winners"][d]))
        out["prizes"].append({t: counts["prize:" + t][d] for t in ("big", "small")})
        for name in ("coupons_added", "coupons_redeemed", "follows", "unfollows"):
            out[name].append(counts[name][d])
        total += counts["follows"][d] - counts["unfollows"][d]
        out["net_follower_gain"].append(counts["follows"][d] - counts["unfollows"][d])
        out["net_follower_gain_total"].append(total)
        for k in (1, 3, 7):
            back = sum(1 for o in new if o in sets["players"][d + k])
            out[f"retention_d{k}"].append(back / len(new) if new and d + k < playable else None)
    return out


def test_the_stats_equal_a_straightforward_computation(app, services):
    campaign, counts = simulated_campaign(services)
    assert counts["draw"] > 500 and counts["follow"] > 50 and counts["unfollow"] > 0

    assert stats.recompute(db.session, campaign.id, NOW) == 10
    result = stats.results(db.session, campaign, NOW)
    rows = db.session.scalars(select(Event).where(Event.campaign_id == campaign.id)).all()
    expected = straightforward(campaign, rows, 10, 10)

    for name, values in expected.items():
        assert [row[name] for row in result.rows] == values, name
    assert sum(counts.values()) == len(rows)


def test_the_simulated_history_has_a_first_day_burst_and_a_weekend_dip(app, services):
    campaign, _ = simulated_campaign(services, players=1500, days=14)
    stats.recompute(db.session, campaign.id, NOW)
    figures = stats.results(db.session, campaign, NOW).shape

    assert figures.peak_day == 0
    assert figures.first_day_share > 0.15
    assert figures.weekend_vs_weekday < 0


def test_a_daily_release_spreads_the_simulated_prizes_over_the_days(app, services):
    campaign = CampaignFactory(starts_at=NOW - timedelta(days=4.5), ends_at=NOW + timedelta(days=3))
    PrizeTierFactory(campaign=campaign, tier="cup", weight=50, stock=100, release={"per_day": 7}, position=0)
    PrizeTierFactory(campaign=campaign, tier="none", weight=50, stock=0, position=1, is_fallback=True)
    db.session.commit()
    db.session.refresh(campaign)
    simulated(services, campaign, 5, 300)
    stats.recompute(db.session, campaign.id, NOW)

    assert [row["prizes"]["cup"] for row in stats.results(db.session, campaign, NOW).rows] == [7, 7, 7, 7, 7]


def test_on_a_simulated_campaign_the_channel_sums_equal_the_campaign_totals(app, services):
    campaign, counts = simulated_campaign(services, players=600, days=10)
    stats.recompute(db.session, campaign.id, NOW)
    result = stats.results(db.session, campaign, NOW)
    totals = channel_totals(result.rows, placements(campaign.channels))
    rows = db.session.scalars(select(Event).where(Event.campaign_id == campaign.id)).all()

    assert {t["scene"] or t["channel"] for t in totals if t["players"]} >= {"sim-poster", "share", "menu", "direct"}
    summed = lambda name: sum(t[name] for t in totals)  # noqa: E731
    assert summed("plays") == result.total("plays") == counts["draw"]
    assert summed("players") == result.players_total == len({e.openid for e in rows if e.type == "draw"})
    fallback = "none"
    winners = {e.openid for e in rows if e.type == "draw" and e.data["awarded_tier"] != fallback}
    assert summed("winners") == len(winners)
    assert summed("visits") == len([e for e in rows if e.type == "visit"])
    assert summed("claimed") == result.total("coupons_added")
    assert summed("redeemed") == result.total("coupons_redeemed")
    assert summed("follows") == result.total("follows")
    assert summed("net_follower_gain") == result.total("net_follower_gain")
    # Each player is in exactly one channel: per day too, the channels' players add up to the day's.
    for row in result.rows:
        assert sum(v["players"] for v in row["channels"].values()) == row["players"]
