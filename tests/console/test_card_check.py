"""Publishing asks WeChat (the simulator, over HTTP) whether each card prize's card_id exists for the account."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from campaigns.catalog.models import Campaign
from campaigns.staff.models import AuditEntry
from campaigns.wechat.client import client_for
from extensions import db
from tests.console.conftest import campaign_doc
from tests.console.test_api import token_for
from tests.factories import NOW, OfficialAccountFactory

BASE = "/api/v1/campaigns/spring-wheel"
UNKNOWN_MESSAGE = "This Official Account has no WeChat card with this card_id"


@pytest.fixture
def headers(marketer):
    return token_for(marketer)


def new_card(services, account) -> str:
    """A card of the account, created through WeChat's ``card/create``."""
    return client_for(services, account).card.create(
        {"card": {"card_type": "GROUPON", "groupon": {"base_info": {"title": "Free coffee", "sku": {"quantity": 0}}}}}
    )


def card_campaign(client, headers, card_id: str, **changes) -> None:
    doc = campaign_doc(starts_at=NOW.isoformat(), **changes)
    doc["prizes"][0].update(coupon="wechat_card", card_id=card_id)
    response = client.post("/api/v1/campaigns", json=doc, headers=headers)
    assert response.status_code == 201, response.get_json()


def status() -> str:
    db.session.expire_all()
    return db.session.scalar(select(Campaign.status).where(Campaign.slug == "spring-wheel"))


def test_a_card_the_account_has_is_published(client, wechat, frozen, services, account, headers):
    card_campaign(client, headers, new_card(services, account))

    response = client.post(f"{BASE}/publish", headers=headers)

    assert response.status_code == 200, response.get_json()
    assert status() == "live"


def test_an_unknown_card_id_is_refused_next_to_its_field_with_every_other_problem(
    client, wechat, frozen, account, headers
):
    card_campaign(client, headers, "pNoSuchCardAtAll")
    db.session.scalar(select(Campaign)).tiers[1].value_minor = 50_000_01
    db.session.commit()

    response = client.post(f"{BASE}/publish", headers=headers)

    assert response.status_code == 400
    fields = response.get_json()["error"]["fields"]
    assert fields["prizes[0].card_id"].startswith(UNKNOWN_MESSAGE)
    assert "at most ¥50,000" in fields["prizes[1].value"]
    assert status() == "draft"
    assert (
        client.get(f"{BASE}/problems", headers=headers)
        .get_json()["problems"]["prizes[0].card_id"]
        .startswith(UNKNOWN_MESSAGE)
    )


def test_another_accounts_card_is_unknown_to_this_one(client, wechat, frozen, services, account, headers):
    other = OfficialAccountFactory(app_id="wx00000000000000ff")
    db.session.commit()
    card_campaign(client, headers, new_card(services, other))

    response = client.post(f"{BASE}/publish", headers=headers)

    assert response.status_code == 400
    assert response.get_json()["error"]["fields"]["prizes[0].card_id"].startswith(UNKNOWN_MESSAGE)


def test_when_wechat_cannot_be_reached_nothing_is_published(app, client, frozen, services, account, headers):
    unreachable = {"WECHAT_API_BASE": "http://127.0.0.1:1"}
    app.config.update(unreachable)
    services.settings.update(unreachable)
    card_campaign(client, headers, "pSomeCard")

    response = client.post(f"{BASE}/publish", headers=headers)

    assert response.status_code == 400
    assert response.get_json()["error"]["fields"] == {
        "prizes[0].card_id": "Could not check the card with WeChat; try again."
    }
    assert status() == "draft"
    assert not db.session.scalars(select(AuditEntry).where(AuditEntry.action == "campaign.publish")).all()


def test_the_console_shows_the_unknown_card_next_to_the_tier(as_marketer, wechat, frozen, marketer, headers):
    card_campaign(as_marketer, headers, "pNoSuchCardAtAll")

    response = as_marketer.post("/console/campaigns/spring-wheel/publish")

    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert '<li data-field="prizes[0].card_id">' in page and UNKNOWN_MESSAGE in page
    # And in the prize table, in the row of the tier whose card_id it is.
    row = page.split('<tr data-tier="gold">', 1)[1].split("</tr>", 1)[0]
    assert '<span class="field-error" data-field="prizes[0].card_id">' + UNKNOWN_MESSAGE in row
    assert status() == "draft"


def test_the_command_line_refuses_an_unknown_card_too(runner, client, wechat, frozen, account, headers):
    card_campaign(client, headers, "pNoSuchCardAtAll")

    result = runner.invoke(args=["campaigns", "publish", "spring-wheel"])

    assert result.exit_code != 0
    assert "prizes[0].card_id" in result.output and UNKNOWN_MESSAGE in result.output
    assert status() == "draft"
