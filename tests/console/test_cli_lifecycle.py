"""``flask campaigns pause|resume|end --as EMAIL`` go through the audited lifecycle as a named staff member."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from campaigns.catalog.models import Campaign
from campaigns.staff.models import AuditEntry, StaffAccount
from extensions import db
from tests.console.test_lifecycle import make, status
from tests.factories import NOW, OfficialAccountFactory, StaffFactory


@pytest.fixture
def live(as_marketer, frozen):
    """A live campaign of the marketer's account."""
    make(as_marketer, starts_at=NOW.isoformat())
    assert as_marketer.post("/console/campaigns/spring-wheel/publish").status_code == 302
    assert status() == "live"


def audit_trail() -> list[tuple[str, str, dict, dict]]:
    entries = db.session.scalars(
        select(AuditEntry)
        .where(AuditEntry.action.in_(["campaign.pause", "campaign.resume", "campaign.end"]))
        .order_by(AuditEntry.id)
    )
    return [(e.action, e.staff_email, e.before, e.after) for e in entries]


def test_pause_resume_and_end_are_audited_under_the_named_staff(runner, live, marketer):
    for command in ("pause", "resume", "end"):
        result = runner.invoke(args=["campaigns", command, "spring-wheel", "--as", "Marketer@Example.com"])
        assert result.exit_code == 0, result.output

    assert status() == "ended"
    assert db.session.scalar(select(Campaign)).revealed_at is not None
    assert audit_trail() == [
        ("campaign.pause", "marketer@example.com", {"status": "live"}, {"status": "paused"}),
        ("campaign.resume", "marketer@example.com", {"status": "paused"}, {"status": "live"}),
        ("campaign.end", "marketer@example.com", {"status": "live"}, {"status": "ended"}),
    ]


def test_without_as_the_command_refuses_to_run(runner, live):
    result = runner.invoke(args=["campaigns", "pause", "spring-wheel"])

    assert result.exit_code != 0 and "--as" in result.output
    assert status() == "live" and audit_trail() == []


@pytest.mark.parametrize(
    "who, says",
    [
        ("nobody@example.com", "is not an active staff member"),
        ("retired@example.com", "is not an active staff member"),
        ("operator@example.com", "only a marketer or an admin"),
        ("elsewhere@example.com", "You do not work on this Official Account"),
    ],
)
def test_only_an_active_marketer_or_admin_of_the_account_may_act(runner, live, operator, who, says):
    StaffFactory(email="retired@example.com", role="marketer", active=False)
    stranger = StaffFactory(email="elsewhere@example.com", role="marketer")
    db.session.add(StaffAccount(staff_id=stranger.id, account_id=OfficialAccountFactory().id))
    db.session.commit()

    result = runner.invoke(args=["campaigns", "end", "spring-wheel", "--as", who])

    assert result.exit_code != 0 and says in result.output
    assert status() == "live" and audit_trail() == []


def test_an_admin_may_act_on_any_account(runner, live, admin):
    result = runner.invoke(args=["campaigns", "pause", "spring-wheel", "--as", admin.email])

    assert result.exit_code == 0, result.output
    assert audit_trail() == [("campaign.pause", "admin@example.com", {"status": "live"}, {"status": "paused"})]


def test_a_refused_transition_says_why_and_records_nothing(runner, live, marketer):
    result = runner.invoke(args=["campaigns", "resume", "spring-wheel", "--as", marketer.email])

    assert result.exit_code != 0 and "A live campaign cannot resume" in result.output
    assert status() == "live" and audit_trail() == []


def test_publish_as_a_staff_member_is_audited(runner, as_marketer, frozen, marketer):
    make(as_marketer, starts_at=NOW.isoformat())

    result = runner.invoke(args=["campaigns", "publish", "spring-wheel", "--as", marketer.email])

    assert result.exit_code == 0, result.output
    assert status() == "live"
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "campaign.publish"))
    assert entry.staff_email == "marketer@example.com" and entry.after["status"] == "live"
