"""Creating and editing drafts through the console's editor, with field-level messages."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from campaigns.catalog.models import Campaign
from campaigns.staff.models import AuditEntry
from extensions import db


def form_of(doc: dict) -> dict:
    """The editor's form fields for a campaign document."""
    form = {k: doc[k] for k in ("slug", "name", "account", "game", "timezone", "starts_at", "ends_at")}
    for key in ("starts_at", "ends_at"):
        # The editor's datetime-local fields are in the campaign's time zone.
        form[key] = datetime.fromisoformat(doc[key]).astimezone(ZoneInfo(doc["timezone"])).strftime("%Y-%m-%dT%H:%M")
    form["plays_per_day"] = str(doc.get("plays_per_day") or "")
    form["channels"] = "\n".join(doc.get("channels", []))
    for key, value in (doc.get("look") or {}).items():
        form[f"look-{key}"] = value
    for i, prize in enumerate(doc["prizes"]):
        for key, value in prize.items():
            if key == "fallback":
                form["fallback"] = str(i)
            else:
                form[f"prize-{i}-{key}"] = str(value)
    return form


def test_marketer_creates_a_draft_with_its_prize_table(as_marketer, frozen):
    from tests.console.conftest import campaign_doc

    response = as_marketer.post("/console/campaigns/new", data=form_of(campaign_doc()))
    assert response.status_code == 302
    campaign = db.session.scalar(select(Campaign).where(Campaign.slug == "spring-wheel"))
    assert campaign.status == "draft"
    assert [(t.tier, t.weight, t.stock, t.is_fallback) for t in campaign.tiers] == [
        ("gold", 5, 10, False),
        ("silver", 15, 30, False),
        ("none", 80, 0, True),
    ]
    assert campaign.tiers[1].release == {"per_day": 5}
    assert campaign.tiers[0].value_minor == 3200
    assert [c.name for c in campaign.channels] == ["poster"]
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "campaign.create"))
    assert entry.staff_email == "marketer@example.com" and entry.before is None
    assert entry.after["prizes"][0]["tier"] == "gold"


def test_every_problem_is_reported_next_to_its_field(as_marketer, frozen):
    from tests.console.conftest import campaign_doc

    form = form_of(campaign_doc())
    form.update({"slug": "Bad Slug!", "prize-0-weight": "0", "prize-1-weight": "abc", "prize-1-value": "-3"})
    del form["fallback"]
    response = as_marketer.post("/console/campaigns/new", data=form)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    for field in ("slug", "prizes[0].weight", "prizes[1].weight", "prizes[1].value", "prizes"):
        assert f'data-field="{field}"' in page
    assert "exactly one prize as the fallback" in page
    assert db.session.scalar(select(Campaign)) is None


def test_names_are_escaped_on_every_console_page(as_marketer, frozen):
    from tests.console.conftest import campaign_doc

    doc = campaign_doc(name="<script>alert(1)</script>")
    doc["prizes"][0]["name"] = "<img src=x onerror=alert(1)>"
    assert as_marketer.post("/console/campaigns/new", data=form_of(doc)).status_code == 302
    for path in (
        "/console/",
        "/console/campaigns/spring-wheel",
        "/console/campaigns/spring-wheel/edit",
        "/console/audit",
    ):
        page = as_marketer.get(path).get_data(as_text=True)
        assert "<script>alert(1)" not in page and "<img src=x" not in page, path


def test_editing_a_draft_records_before_and_after(as_marketer, frozen):
    from tests.console.conftest import campaign_doc

    as_marketer.post("/console/campaigns/new", data=form_of(campaign_doc()))
    form = form_of(campaign_doc())
    form["prize-0-weight"] = "7"
    assert as_marketer.post("/console/campaigns/spring-wheel/edit", data=form).status_code == 302
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "campaign.update"))
    assert entry.before["prizes"][0]["weight"] == 5 and entry.after["prizes"][0]["weight"] == 7


def test_a_published_campaign_cannot_be_edited(as_marketer, frozen):
    from tests.console.conftest import campaign_doc

    as_marketer.post("/console/campaigns/new", data=form_of(campaign_doc()))
    campaign = db.session.scalar(select(Campaign))
    campaign.status = "live"
    db.session.commit()
    response = as_marketer.post("/console/campaigns/spring-wheel/edit", data=form_of(campaign_doc()))
    assert response.status_code == 409


@pytest.mark.parametrize("status", ["draft", "ended"])
def test_duplicate_and_archive(as_marketer, frozen, status):
    from tests.console.conftest import campaign_doc

    as_marketer.post("/console/campaigns/new", data=form_of(campaign_doc()))
    db.session.scalar(select(Campaign)).status = status
    db.session.commit()
    assert as_marketer.post("/console/campaigns/spring-wheel/duplicate", data={"slug": "spring-2"}).status_code == 302
    copy = db.session.scalar(select(Campaign).where(Campaign.slug == "spring-2"))
    assert copy.status == "draft" and [t.tier for t in copy.tiers] == ["gold", "silver", "none"]
    assert as_marketer.post("/console/campaigns/spring-wheel/archive").status_code == 302
    assert db.session.scalar(select(Campaign).where(Campaign.slug == "spring-wheel")).archived
    assert "spring-wheel" not in as_marketer.get("/console/").get_data(as_text=True).replace("spring-wheel-", "")
