"""Marketers manage stores and staff links; operators read the refusal log."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from campaigns.coupons.models import Store, StoreLink
from extensions import db
from tests.factories import StaffFactory

from .conftest import log_in_staff

pytestmark = pytest.mark.clock


def test_a_marketer_adds_a_store_and_creates_and_revokes_its_staff_link(client, account, campaign):
    marketer = StaffFactory(role="marketer", accounts=[account])
    db.session.commit()
    log_in_staff(client, marketer)

    assert client.post("/redeem/stores", data={"account_id": account.id, "name": "Store B"}).status_code == 302
    store = db.session.scalar(select(Store).where(Store.name == "Store B"))
    page = client.post(f"/redeem/stores/{store.id}/links", data={"label": "counter", "campaign_id": campaign.id})
    url = re.search(r'href="(http://localhost/redeem/s/[^"/]+/)"', page.text).group(1)
    link = db.session.scalar(select(StoreLink))
    assert (link.store_id, link.campaign_id, link.label, link.created_by_id) == (
        store.id,
        campaign.id,
        "counter",
        marketer.id,
    )
    assert url.split("/")[-2] not in link.token_hash  # only a digest of the token is kept

    assert client.get(url).status_code == 200
    assert "Store B" in client.get(url).text
    assert client.post(f"/redeem/links/{link.id}/revoke").status_code == 302
    assert client.get(url).status_code == 403
    assert f"#{link.id}" not in client.get("/redeem/stores").text


def test_operators_read_refusals_but_do_not_manage_stores(client, store, operator):
    log_in_staff(client, operator)
    assert client.get("/redeem/stores").status_code == 403
    assert client.post("/redeem/lookup", json={"code": "NOSUCHCODE42", "store_id": store.id}).status_code == 404
    page = client.get("/redeem/refusals")
    assert page.status_code == 200
    assert "coupon_unknown" in page.text and "NOSUCHCODE42" in page.text and "Store A" in page.text
