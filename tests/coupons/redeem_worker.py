"""A web worker's confirmation in its own process; kept apart from the tests so that a child imports little."""

from __future__ import annotations

from datetime import datetime

from extensions import db


def confirm_in_own_process(
    database_url: str, redis_url: str, at: datetime, code: str, store_id: int, staff_id: int, start, answers
) -> None:
    """One web worker's confirmation: its own app, database connection and Redis client, on the test's clock."""
    from app import create_app
    from campaigns.clock import FixedClock
    from campaigns.coupons import redeem as redemption
    from campaigns.coupons.models import Store
    from campaigns.errors import CampaignError

    url = database_url.replace("postgresql://", "postgresql+psycopg://", 1)
    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": url,
            "REDIS_URL": redis_url,
            "SECRET_KEY": "test-secret",
            "CLOCK": FixedClock(at),
        }
    )
    with app.app_context():
        services = app.extensions["services"]
        ctx = services.context(db.session)
        store = db.session.get(Store, store_id)
        start.wait(60)  # every process confirms at the same moment
        try:
            redemption.redeem(ctx, redemption.Redeemer(store=store, staff_id=staff_id), code)
            answers.put("redeemed")
        except CampaignError as refusal:
            answers.put(refusal.code)
