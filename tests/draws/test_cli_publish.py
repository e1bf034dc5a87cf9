"""``flask campaigns publish`` applies the same publishing rules as the console and the API."""

from datetime import timedelta

import pytest

from campaigns.catalog.models import Campaign
from campaigns.coupons.models import CouponCode
from extensions import db
from tests.factories import CampaignFactory, PrizeTierFactory

pytestmark = pytest.mark.clock


def _campaign(clock, top_prize_fen: int):
    campaign = CampaignFactory(slug="cli-spring", starts_at=clock.now(), ends_at=clock.now() + timedelta(days=7))
    PrizeTierFactory(
        campaign=campaign,
        position=0,
        tier="gold",
        name="金奖",
        weight=1,
        stock=3,
        value_minor=top_prize_fen,
        coupon_kind="code",
    )
    PrizeTierFactory(campaign=campaign, position=1, tier="none", name="谢谢参与", weight=9, stock=0, is_fallback=True)
    db.session.commit()
    return campaign


def test_a_valid_campaign_is_published_from_the_command_line(runner, clock):
    _campaign(clock, top_prize_fen=100_00)

    result = runner.invoke(args=["campaigns", "publish", "cli-spring"])

    assert result.exit_code == 0, result.output
    db.session.expire_all()
    campaign = db.session.query(Campaign).filter_by(slug="cli-spring").one()
    assert campaign.status == "live" and len(campaign.server_seed_hash) == 64
    assert campaign.server_seed_hash in result.output
    # No codes were uploaded, so the platform made one per prize.
    assert db.session.query(CouponCode).count() == 3


def test_a_top_prize_above_the_legal_cap_is_refused_and_nothing_changes(runner, clock):
    _campaign(clock, top_prize_fen=50_001_00)

    result = runner.invoke(args=["campaigns", "publish", "cli-spring"])

    assert result.exit_code != 0
    assert "cannot be published" in result.output
    db.session.expire_all()
    campaign = db.session.query(Campaign).filter_by(slug="cli-spring").one()
    assert (campaign.status, campaign.server_seed_hash, campaign.rules_versions) == ("draft", None, [])
