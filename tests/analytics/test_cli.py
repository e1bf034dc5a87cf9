"""``flask campaigns report`` and ``flask demo simulate`` through Flask's CLI runner."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from campaigns.analytics.models import DailyStat, Event
from campaigns.draws.models import Draw
from campaigns.draws.publish import publish
from extensions import db
from tests.analytics.test_dashboard import one_day_campaign
from tests.analytics.test_simulated import NOW
from tests.factories import CampaignFactory, ChannelFactory, PrizeTierFactory

pytestmark = pytest.mark.clock


def test_the_report_prints_the_daily_table(app, services, runner):
    campaign = one_day_campaign(services)
    result = runner.invoke(args=["campaigns", "report", campaign.slug])

    assert result.exit_code == 0, result.output
    day = next(line for line in result.output.splitlines() if line.startswith("2026-11-23"))
    # day, visitors, players, new, returning, plays, winners
    assert day.split()[:7] == ["2026-11-23", "1", "2", "2", "0", "3", "1"]
    assert "The first day brought 100% of all plays." in result.output


def test_an_unknown_campaign_is_one_sentence(app, runner):
    result = runner.invoke(args=["campaigns", "report", "nope"])
    assert result.exit_code != 0 and "no campaign with the slug 'nope'" in result.output


def test_simulate_is_refused_on_a_draft(app, services, runner):
    campaign = CampaignFactory()
    PrizeTierFactory(campaign=campaign, tier="none", weight=95, stock=0, position=1, is_fallback=True)
    db.session.commit()

    result = runner.invoke(args=["demo", "simulate", campaign.slug])

    assert result.exit_code != 0 and "Publish the campaign first" in result.output
    assert db.session.scalar(select(func.count()).select_from(Event)) == 0


def test_simulate_fills_a_published_campaign_through_the_draw_script_without_overselling(app, services, runner):
    start = NOW - timedelta(days=4, hours=12)
    campaign = CampaignFactory(starts_at=start, ends_at=NOW + timedelta(days=20), plays_per_day=3)
    PrizeTierFactory(campaign=campaign, tier="cup", weight=40, stock=50, position=0)
    PrizeTierFactory(campaign=campaign, tier="none", weight=60, stock=0, position=1, is_fallback=True)
    ChannelFactory(campaign=campaign)
    db.session.commit()
    publish(db.session, services.redis, campaign, clock=services.clock, secrets=services.secrets)
    db.session.commit()

    result = runner.invoke(args=["demo", "simulate", campaign.slug, "--days", "5", "--players", "300"])

    assert result.exit_code == 0, result.output
    db.session.refresh(campaign)
    assert campaign.starts_at.replace(tzinfo=None) == start.replace(tzinfo=None)  # the committed dates stay
    cups = db.session.scalar(select(func.count()).select_from(Draw).where(Draw.awarded_tier == "cup"))
    assert cups == 50  # the whole stock, and not one more
    assert runner.invoke(args=["campaigns", "verify", campaign.slug]).exit_code == 0
    assert runner.invoke(args=["campaigns", "reconcile", campaign.slug]).exit_code == 0
    assert db.session.scalar(select(func.count()).select_from(Event)) > 300
    rows = db.session.scalars(
        select(DailyStat).where(DailyStat.campaign_id == campaign.id).order_by(DailyStat.day)
    ).all()
    assert [r.day for r in rows] == ["2026-11-19", "2026-11-20", "2026-11-21", "2026-11-22", "2026-11-23"]
    assert rows[0].values["plays"] > rows[1].values["plays"]  # the launch-day burst
    report = runner.invoke(args=["campaigns", "report", campaign.slug, "--stored"])
    assert "2026-11-19" in report.output
