"""Publishing and the live-campaign actions: every transition, each refused one, validation, audit."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from campaigns.catalog.models import Campaign
from campaigns.keys import CampaignKeys
from campaigns.staff.models import AuditEntry
from extensions import db
from tests.console.conftest import campaign_doc
from tests.factories import NOW, CouponCodeFactory

BASE = "/console/campaigns/spring-wheel"


def make(client, **changes) -> Campaign:
    from tests.console.test_editing import form_of

    response = client.post("/console/campaigns/new", data=form_of(campaign_doc(**changes)))
    assert response.status_code == 302, response.get_data(as_text=True)
    return db.session.scalar(select(Campaign).where(Campaign.slug == "spring-wheel"))


def status() -> str:
    db.session.expire_all()
    return db.session.scalar(select(Campaign.status).where(Campaign.slug == "spring-wheel"))


def actions() -> list[str]:
    return list(db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))


def test_publish_pause_resume_end_with_audit(as_marketer, frozen, services):
    campaign = make(as_marketer, starts_at=NOW.isoformat())
    assert as_marketer.post(f"{BASE}/publish").status_code == 302
    assert status() == "live"
    assert services.redis.exists(CampaignKeys(campaign.id).state)
    assert as_marketer.post(f"{BASE}/pause").status_code == 302 and status() == "paused"
    assert as_marketer.post(f"{BASE}/resume").status_code == 302 and status() == "live"
    assert as_marketer.post(f"{BASE}/end").status_code == 302 and status() == "ended"
    db.session.expire_all()
    assert db.session.get(Campaign, campaign.id).revealed_at is not None
    assert actions() == ["campaign.create", "campaign.publish", "campaign.pause", "campaign.resume", "campaign.end"]
    published = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "campaign.publish"))
    assert published.before == {"status": "draft"} and published.after["status"] == "live"


def test_a_future_start_is_scheduled(as_marketer, frozen):
    make(as_marketer)
    as_marketer.post(f"{BASE}/publish")
    assert status() == "scheduled"


@pytest.mark.parametrize(
    "state, refused",
    [
        ("draft", ["pause", "resume", "end", "top-up"]),
        ("live", ["publish", "resume"]),
        ("paused", ["publish", "pause"]),
        ("ended", ["publish", "pause", "resume", "end", "top-up"]),
    ],
)
def test_refused_transitions_are_409_and_change_nothing(as_marketer, frozen, state, refused):
    make(as_marketer, starts_at=NOW.isoformat())
    path = {"live": ["publish"], "paused": ["publish", "pause"], "ended": ["publish", "end"]}.get(state, [])
    for action in path:
        as_marketer.post(f"{BASE}/{action}")
    assert status() == state
    before = actions()
    for action in refused:
        response = as_marketer.post(f"{BASE}/{action}", data={"stock-gold": "20"})
        assert response.status_code == 409, (state, action)
        assert status() == state
    assert actions() == before


def test_a_published_campaign_refuses_edits_but_takes_a_top_up(as_marketer, frozen, services):
    from tests.console.test_editing import form_of

    campaign = make(as_marketer, starts_at=NOW.isoformat())
    as_marketer.post(f"{BASE}/publish")
    assert as_marketer.post(f"{BASE}/edit", data=form_of(campaign_doc())).status_code == 409
    assert as_marketer.post(f"{BASE}/top-up", data={"stock-gold": "5"}).status_code == 400
    assert as_marketer.post(f"{BASE}/top-up", data={"stock-gold": "25"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Campaign, campaign.id).tiers[0].stock == 25
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "campaign.top_up"))
    assert entry.before == {"gold": 10} and entry.after == {"gold": 25}


def test_publish_reports_every_problem_in_plain_words(as_marketer, frozen):
    doc = campaign_doc(starts_at=NOW.replace(year=2025).isoformat())
    doc["prizes"][0].update(value="50000.01")
    doc["prizes"][1].update(coupon="code")
    campaign = make(as_marketer, **{k: doc[k] for k in ("starts_at", "prizes")})
    CouponCodeFactory(tier_id=campaign.tiers[1].id, code="ONLYONE1")
    db.session.commit()
    response = as_marketer.post(f"{BASE}/publish")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "The start is in the past" in page
    assert "at most ¥50,000" in page
    assert "Upload more codes: 30 prizes but only 1 codes." in page
    assert status() == "draft"
    assert "campaign.publish" not in actions()


def test_a_prize_at_the_cap_is_allowed(as_marketer, frozen):
    doc = campaign_doc(starts_at=NOW.isoformat())
    doc["prizes"][0].update(value="50000.00")
    make(as_marketer, prizes=doc["prizes"], starts_at=doc["starts_at"])
    assert as_marketer.post(f"{BASE}/publish").status_code == 302
    assert status() == "live"
