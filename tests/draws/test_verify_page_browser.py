"""The verifier page recomputes a player's draws in Chromium with WebCrypto, matching the ledger."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from campaigns.draws import fairness
from campaigns.draws import publish as lifecycle
from extensions import db

from .helpers import context, ingest_all, published_with_prizes

pytestmark = pytest.mark.browser


def test_verifier_page_recomputes_the_ledger_in_the_browser(app, live_server, services, phone, artifacts):
    now = datetime.now(UTC)
    campaign = published_with_prizes(
        db.session,
        services,
        prizes=[("gold", 40, 50, "all", "none")],
        fallback=("none", "x", 60),
        at=now,
        starts_at=now - timedelta(hours=1),
        ends_at=now + timedelta(days=1),
    )
    from campaigns.draws import services as draws

    ctx = context(services, db.session)
    openid = "o-verifier-fan"
    frozen = services.published.get(db.session, campaign.slug)
    draws.set_client_seed(ctx, frozen, openid, "browser-seed")
    made = [draws.draw(ctx, frozen, openid, f"verify-key-{i:03d}") for i in range(4)]
    ingest_all(services, campaign.id)
    lifecycle.end(db.session, services.redis, campaign, services.clock)
    db.session.commit()

    cookie = app.session_interface.get_signing_serializer(app).dumps({f"follower:{campaign.account_id}": openid})
    phone.context.add_cookies([{"name": "session", "value": cookie, "url": live_server.url}])
    phone.goto(f"{live_server.url}/c/{campaign.slug}/verify")
    phone.wait_for_selector("#verifier[data-ready='1']", timeout=15_000)
    assert phone.input_value("#client-seed") == "browser-seed"
    phone.fill("#nonce-to", "3")
    phone.click("#verify-button")
    phone.wait_for_selector("#results:not([hidden])", timeout=15_000)
    rows = phone.locator("tr.verify-row").all_inner_texts()
    phone.screenshot(path=str(artifacts / "draws-verifier.png"))
    seed = services.secrets.open(campaign.server_seed_sealed)
    assert len(rows) == 4
    for nonce, (row, body) in enumerate(zip(rows, made, strict=False)):
        cells = row.split("\t")
        u = fairness.u_of(fairness.digest(seed, "browser-seed", nonce))
        assert cells[:4] == [str(nonce), str(u), str(fairness.pick(u, 100)), body["drawn_tier"]]
        assert cells[4].endswith("✓")
    assert "✓" in phone.inner_text("#status")
