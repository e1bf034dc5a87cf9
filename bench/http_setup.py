"""The HTTP benchmark's database: one published campaign and signed follower sessions."""

from __future__ import annotations

import os
from datetime import timedelta


def prepare(env: dict[str, str], followers: int) -> tuple[str, list[str], int, int]:
    """Migrate, create and publish the benchmark campaign; return its slug, session cookies, id and account id."""
    os.environ.update(env)
    from flask_migrate import upgrade

    from app import create_app
    from campaigns.catalog.models import Campaign, OfficialAccount, PrizeTier
    from campaigns.draws.publish import publish
    from extensions import db

    app = create_app()
    services = app.extensions["services"]
    with app.app_context():
        upgrade()
        box = services.secrets
        account = OfficialAccount(
            slug="bench",
            name="bench",
            app_id="wxbench000000000",
            app_secret_sealed=box.seal("s"),
            token_sealed=box.seal("t"),
        )
        now = services.clock.now()
        campaign = Campaign(
            account=account,
            slug="bench",
            name="bench",
            game="scratch",
            starts_at=now - timedelta(hours=1),
            ends_at=now + timedelta(days=7),
            look={},
        )
        for position, (tier, weight, stock, fallback) in enumerate(
            (("gold", 5, 500, False), ("silver", 30, 5000, False), ("none", 65, 0, True))
        ):
            campaign.tiers.append(
                PrizeTier(
                    position=position,
                    tier=tier,
                    name=tier,
                    weight=weight,
                    stock=stock,
                    release="all",
                    is_fallback=fallback,
                    coupon_kind="none",
                )
            )
        db.session.add(campaign)
        db.session.flush()
        publish(db.session, services.redis, campaign, clock=services.clock, secrets=box, min_interval_ms=0)
        db.session.commit()
        serializer = app.session_interface.get_signing_serializer(app)
        cookies = [serializer.dumps({f"follower:{account.id}": f"o-bench-{i:06d}"}) for i in range(followers)]
        return campaign.slug, cookies, campaign.id, account.id


if __name__ == "__main__":  # pragma: no cover - used by bench/draws.py only
    raise SystemExit("run bench/draws.py")
