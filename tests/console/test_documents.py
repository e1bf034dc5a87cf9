"""The campaign document: the example in docs is valid, documents round-trip, and the CLI reads files."""

from __future__ import annotations

import json
from pathlib import Path

from jsonschema import Draft202012Validator
from sqlalchemy import select

from campaigns.catalog import document
from campaigns.catalog.models import Campaign
from campaigns.staff.models import AuditEntry
from extensions import db
from tests.console.conftest import campaign_doc
from tests.factories import OfficialAccountFactory

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "campaign-example.json"


def test_the_example_matches_the_schema_and_reads_without_problems():
    example = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(document.SCHEMA)
    Draft202012Validator(document.SCHEMA).validate(example)
    _, problems = document.parse(example)
    assert problems == {}


def test_a_bad_document_reports_every_problem():
    doc = campaign_doc(timezone="Mars/Olympus", plays_per_day=0, extra=1)
    doc["prizes"][1].update(fallback=True, value="1.234", tier="gold")
    doc["look"]["accent"] = "red;}"
    _, problems = document.parse(doc)
    assert set(problems) == {
        "timezone",
        "plays_per_day",
        "extra",
        "prizes[1].value",
        "prizes[1].tier",
        "prizes",
        "look.accent",
    }


def test_cli_creates_then_updates_a_draft_from_a_file(runner, admin, tmp_path):
    OfficialAccountFactory(slug="demo-brand")
    db.session.commit()
    path = tmp_path / "campaign.json"
    path.write_text(EXAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    result = runner.invoke(args=["campaigns", "create", "--from", str(path)])
    assert result.exit_code == 0, result.output
    campaign = db.session.scalar(select(Campaign).where(Campaign.slug == "spring-wheel"))
    assert [t.tier for t in campaign.tiers] == ["gold", "silver", "bronze", "none"]
    assert document.to_document(campaign)["prizes"][1]["daily_limit"] == 10
    doc = json.loads(path.read_text(encoding="utf-8"))
    doc["prizes"][2]["weight"] = 31
    path.write_text(json.dumps(doc), encoding="utf-8")
    assert "updated draft" in runner.invoke(args=["campaigns", "create", "--from", str(path)]).output
    db.session.expire_all()
    actions = db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions == ["campaign.create", "campaign.update"]


def test_cli_reports_problems_by_field(runner, admin, tmp_path):
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(campaign_doc(slug="Bad Slug")), encoding="utf-8")
    result = runner.invoke(args=["campaigns", "create", "--from", str(path)])
    assert result.exit_code == 1 and "slug:" in result.output


def test_cli_creates_staff_with_a_hashed_password(runner, account):
    from campaigns.staff.models import Staff

    result = runner.invoke(
        args=[
            "staff",
            "create",
            "--role",
            "marketer",
            "--email",
            "New@Example.com",
            "--account",
            "brand",
            "--password",
            "a long enough password",
        ]
    )
    assert result.exit_code == 0, result.output
    staff = db.session.scalar(select(Staff).where(Staff.email == "new@example.com"))
    assert staff.role == "marketer" and staff.password_hash.startswith("scrypt:")
    bad = runner.invoke(args=["staff", "create", "--role", "marketer", "--email", "x", "--password", "short"])
    assert bad.exit_code == 1 and "email" in bad.output


def test_values_of_the_wrong_json_type_are_problems_not_crashes():
    doc = campaign_doc()
    doc["prizes"][0]["tier"] = []
    doc["prizes"][1]["coupon"] = {"kind": "code"}
    _, problems = document.parse(doc)
    assert {"prizes[0].tier", "prizes[1].coupon"} <= set(problems)
