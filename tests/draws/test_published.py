"""The draw path reads no SQL: a frozen per-process snapshot of the published campaign outlives a database outage."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, event
from sqlalchemy.orm import Session

from campaigns.draws.publish import pause
from campaigns.draws.published import PublishedCampaigns
from campaigns.errors import Busy, NotFound
from extensions import db

from .helpers import draft_with_prizes, published_around_redis_clock

OPENID = "o-follower-published-0000001"


@pytest.fixture
def campaign(services):
    return published_around_redis_clock(db.session, services)


class Ticks:
    """A monotonic clock the test moves by hand."""

    def __init__(self):
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def _broken_session(tmp_path) -> Session:
    """A session whose database cannot be opened (a real SQLite failure, not a stand-in)."""
    return Session(create_engine(f"sqlite:///{tmp_path / 'missing' / 'nothing.sqlite3'}"))


def test_a_draw_after_the_first_runs_no_sql_statement(app, client, campaign):
    with client.session_transaction() as s:
        s[f"follower:{campaign.account_id}"] = OPENID
    assert (
        client.post(f"/c/{campaign.slug}/draw", json={}, headers={"Idempotency-Key": "warm-up-0001"}).status_code == 200
    )
    statements: list[str] = []
    with app.app_context():
        engine = db.engine
    listener = lambda conn, cursor, statement, *rest: statements.append(statement)  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:
        response = client.post(f"/c/{campaign.slug}/draw", json={}, headers={"Idempotency-Key": "second-0002"})
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    assert response.status_code == 200 and response.get_json()["seq"] == 2
    assert statements == []


def test_the_snapshot_outlives_a_database_outage_and_is_refreshed_after_it(services, campaign, tmp_path):
    ticks = Ticks()
    cache = PublishedCampaigns(services.secrets, refresh_s=30, monotonic=ticks)
    first = cache.get(db.session, campaign.slug)
    assert first.id == campaign.id and first.fairness.server_seed and first.tier("gold").name == "prize gold"
    broken = _broken_session(tmp_path)
    ticks.now = 31  # due for a refresh, and the database is down: the snapshot goes on serving
    assert cache.get(broken, campaign.slug) is first
    ticks.now = 40  # not asked again within the next refresh period either
    assert cache.get(broken, campaign.slug) is first
    campaign.archived = True
    db.session.commit()
    ticks.now = 62  # the database is back: the archived campaign disappears
    with pytest.raises(NotFound):
        cache.get(db.session, campaign.slug)


def test_without_a_snapshot_a_database_outage_is_busy_and_drafts_are_never_cached(services, campaign, tmp_path):
    cache = PublishedCampaigns(services.secrets, refresh_s=30, monotonic=Ticks())
    with pytest.raises(Busy):
        cache.get(_broken_session(tmp_path), campaign.slug)
    draft = draft_with_prizes(db.session, prizes=[("gold", 1, 1, "all", "none")])
    db.session.commit()
    with pytest.raises(NotFound):
        cache.get(db.session, draft.slug)
    with pytest.raises(NotFound):
        cache.get(db.session, "no-such-campaign")


def test_the_followers_state_runs_no_sql_statement_and_shows_a_pause_at_once(app, client, services, campaign):
    with client.session_transaction() as s:
        s[f"follower:{campaign.account_id}"] = OPENID
    assert client.get(f"/c/{campaign.slug}/me").get_json()["status"] == "live"  # the snapshot is loaded
    slug, seed_hash = campaign.slug, campaign.server_seed_hash
    pause(db.session, services.redis, campaign)
    db.session.commit()
    statements: list[str] = []
    with app.app_context():
        engine = db.engine
    listener = lambda conn, cursor, statement, *rest: statements.append(statement)  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:
        body = client.get(f"/c/{slug}/me").get_json()
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    assert statements == []
    # Paused in Redis by the lifecycle: the follower sees it now, not when the snapshot is next refreshed.
    assert body["status"] == "paused" and body["next_nonce"] == 0
    assert body["server_seed_hash"] == seed_hash
