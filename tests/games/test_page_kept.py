"""The game page kept rendered per process: rendered once, yet every follower's own part, the Redis status,
this process's changes and (after the refresh period) another process's changes show."""

from __future__ import annotations

import pytest
from flask import template_rendered
from sqlalchemy import event

from campaigns.catalog import changes
from campaigns.draws import inventory
from campaigns.errors import NotFound
from campaigns.wechat.models import CampaignNotices
from extensions import db
from games.pages import CampaignPage, GamePages
from tests.games.helpers import log_in, published
from tests.games.test_page import page_data


@pytest.fixture
def campaign(services):
    return published(services)


def _count(app, client, slug: str, times: int = 3) -> tuple[int, int, list[str]]:
    """Templates rendered and SQL statements run over ``times`` page loads, and each load's HTML."""
    rendered, statements, pages = [], [], []

    def on_render(sender, template, context, **extra):
        rendered.append(template.name)

    def on_sql(*args):
        statements.append(args[2])

    template_rendered.connect(on_render, app)
    event.listen(db.engine, "before_cursor_execute", on_sql)
    try:
        for _ in range(times):
            response = client.get(f"/c/{slug}/")
            assert response.status_code == 200
            pages.append(response.get_data(as_text=True))
    finally:
        event.remove(db.engine, "before_cursor_execute", on_sql)
        template_rendered.disconnect(on_render, app)
    return len(rendered), len(statements), pages


def test_the_page_is_rendered_once_and_read_from_sql_once_yet_each_follower_gets_their_own_part(app, campaign):
    alice, bob = app.test_client(), app.test_client()
    for client, openid in ((alice, "o-alice"), (bob, "o-bob")):
        client.environ_base["HTTP_USER_AGENT"] = "MicroMessenger"
        log_in(client, campaign, openid)
    app.extensions["game_pages"].forget(campaign.slug)

    first_renders, first_sql, alice_pages = _count(app, alice, campaign.slug)
    renders, sql, bob_pages = _count(app, bob, campaign.slug)

    assert first_renders >= 1 and first_sql >= 1  # the first load renders the page and reads the campaign
    assert (renders, sql) == (0, 0)  # later loads, by anyone, do neither
    alice_share, bob_share = page_data(alice_pages[-1])["share"]["link"], page_data(bob_pages[-1])["share"]["link"]
    assert alice_share != bob_share  # each follower's share link carries their own pseudonym
    assert all(page_data(p)["state"] == "live" and page_data(p)["tiers"] for p in alice_pages + bob_pages)


def test_a_pause_shows_at_once_though_the_page_is_kept(app, client, services, campaign):
    client.environ_base["HTTP_USER_AGENT"] = "MicroMessenger"
    log_in(client, campaign)
    assert page_data(client.get(f"/c/{campaign.slug}/").get_data(as_text=True))["state"] == "live"

    inventory.set_status(services.redis, campaign.id, "paused")  # as another process's pause does: Redis only

    html = client.get(f"/c/{campaign.slug}/").get_data(as_text=True)
    assert page_data(html)["state"] == "paused"
    assert 'rel="preload"' not in html  # the kept live page's preload of /me is not served to a paused campaign


def test_a_change_committed_in_this_process_is_shown_on_the_next_load(app, client, campaign):
    client.environ_base["HTTP_USER_AGENT"] = "MicroMessenger"
    log_in(client, campaign)
    before = changes.epoch()
    assert page_data(client.get(f"/c/{campaign.slug}/").get_data(as_text=True))["notices"] is False

    db.session.add(CampaignNotices(campaign_id=campaign.id, enabled=True, winner_template_id="tpl-1"))
    db.session.commit()

    assert changes.epoch() > before
    assert page_data(client.get(f"/c/{campaign.slug}/").get_data(as_text=True))["notices"] is True


def test_an_archived_campaign_s_kept_page_is_gone_on_the_next_load(app, client, campaign):
    client.environ_base["HTTP_USER_AGENT"] = "MicroMessenger"
    log_in(client, campaign)
    assert client.get(f"/c/{campaign.slug}/").status_code == 200

    campaign.archived = True
    db.session.commit()

    assert client.get(f"/c/{campaign.slug}/").status_code == 404


def test_a_commit_that_writes_nothing_a_page_shows_keeps_the_pages(app, campaign):
    before = changes.epoch()
    db.session.commit()
    assert changes.epoch() == before


class Ticks:
    def __init__(self):
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def _page(notices: bool) -> CampaignPage:
    return CampaignPage(campaign=None, card=None, notices=notices, epoch=0, read_at=0.0)  # type: ignore[arg-type]


def test_another_process_change_is_read_again_after_the_refresh_period_and_a_missing_page_is_forgotten():
    ticks, reads = Ticks(), []
    pages = GamePages(refresh_s=10, monotonic=ticks)

    def read(notices: bool):
        def make() -> CampaignPage:
            reads.append(notices)
            return _page(notices)

        return make

    assert pages.get("spring", read(False)).notices is False
    ticks.now = 9.9  # within the period: kept, whatever the database now says
    assert pages.get("spring", read(True)).notices is False
    ticks.now = 10.0
    assert pages.get("spring", read(True)).notices is True
    assert reads == [False, True]

    def gone() -> CampaignPage:
        raise NotFound("archived")

    ticks.now = 30.0
    with pytest.raises(NotFound):  # archived meanwhile: nothing is kept in its place
        pages.get("spring", gone)
    ticks.now = 30.1
    assert pages.get("spring", read(False)).notices is False and reads == [False, True, False]
