"""Archiving hides a campaign but not its fairness record: rules, commitment, ledger and verify stay public.

Found from outside (issue 16): after archiving, ``/c/<slug>/fairness`` answered 404 and
``flask campaigns verify`` said the campaign did not exist, so "anyone can recompute every
draw afterwards" ended at archive.
"""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from campaigns.catalog import editing
from campaigns.draws import fairness
from campaigns.draws import publish as lifecycle
from extensions import db
from tests.factories import NOW, StaffFactory

from .helpers import draft_with_prizes, ingest_all, play, published_with_prizes

pytestmark = pytest.mark.clock


@pytest.fixture
def archived(services, clock):
    """An ended, revealed, archived campaign with three draws in its ledger."""
    campaign = published_with_prizes(
        db.session, services, prizes=[("gold", 50, 5, "all", "none")], fallback=("none", "谢谢", 50)
    )
    for i in range(3):
        play(services, db.session, campaign, f"o-{i}", f"archive-key-{i:04d}", at=NOW + timedelta(minutes=i))
    ingest_all(services, campaign.id)
    lifecycle.end(db.session, services.redis, campaign, clock)
    marketer = StaffFactory(role="marketer", accounts=[campaign.account])
    editing.archive(db.session, marketer, campaign, clock.now())
    db.session.commit()
    assert campaign.archived
    return campaign


def test_the_fairness_document_ledger_rules_and_verifier_stay_public_after_archive(client, archived):
    fair = client.get(f"/c/{archived.slug}/fairness")
    assert fair.status_code == 200
    assert fair.json["revealed"] is True
    assert fairness.seed_hash(fair.json["server_seed"]) == archived.server_seed_hash
    ledger = client.get(f"/c/{archived.slug}/ledger.jsonl")
    assert ledger.status_code == 200
    lines = [json.loads(line) for line in ledger.get_data(as_text=True).splitlines()]
    prizes = fair.json["versions"][0]["rules"]["prizes"]
    assert [line["seq"] for line in lines] == [1, 2, 3]
    for line in lines:
        assert line["drawn_tier"] == fairness.drawn_tier(
            fair.json["server_seed"], line["client_seed"], line["nonce"], prizes
        )
    assert client.get(f"/c/{archived.slug}/rules").status_code == 200
    assert client.get(f"/c/{archived.slug}/verify").status_code == 200
    # What archiving does hide: the game itself.
    assert client.get(f"/c/{archived.slug}/").status_code == 404


def test_flask_campaigns_verify_recomputes_an_archived_campaign(runner, archived):
    result = runner.invoke(args=["campaigns", "verify", archived.slug])
    assert result.exit_code == 0, result.output
    assert result.output.strip().endswith("3 draws verified")


def test_an_archived_draft_has_no_record_to_show(client, runner, services, clock):
    draft = draft_with_prizes(db.session, prizes=[("gold", 50, 5, "all", "none")])
    editing.archive(db.session, StaffFactory(role="marketer", accounts=[draft.account]), draft, clock.now())
    db.session.commit()
    for path in ("fairness", "ledger.jsonl", "rules", "verify"):
        assert client.get(f"/c/{draft.slug}/{path}").status_code == 404, path
    assert runner.invoke(args=["campaigns", "verify", draft.slug]).exit_code != 0
