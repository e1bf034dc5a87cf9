"""The demo seed: one account, a live scratch card and a live lucky wheel, with prizes and codes."""
from sqlalchemy import func, select

from campaigns.catalog.models import Campaign
from campaigns.coupons.models import CouponCode
from extensions import db


def test_seed_creates_two_live_campaigns_with_prizes_and_codes_and_can_run_twice(runner):
    first = runner.invoke(args=["demo", "seed"])
    second = runner.invoke(args=["demo", "seed"])

    assert first.exit_code == 0, first.output
    assert second.exit_code == 0, second.output
    assert "admin login: admin@demo.local / " in first.output
    campaigns = db.session.scalars(select(Campaign).order_by(Campaign.slug)).all()
    assert [(c.slug, c.game, c.status) for c in campaigns] == [("scratch-demo", "scratch", "live"), ("wheel-demo", "wheel", "live")]
    for campaign in campaigns:
        assert sum(t.is_fallback for t in campaign.tiers) == 1
    coded = sum(t.stock for c in campaigns for t in c.tiers if t.coupon_kind == "code")
    assert db.session.scalar(select(func.count()).select_from(CouponCode)) == coded
