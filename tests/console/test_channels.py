"""Channels from the console: added to a live campaign without touching its rules, each with its QR code from WeChat."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from campaigns.catalog.models import Campaign
from campaigns.staff.models import AuditEntry
from extensions import db
from tests.console.test_lifecycle import make, status
from tests.factories import NOW

BASE = "/console/campaigns/spring-wheel"


@pytest.fixture
def live(as_marketer, wechat, frozen):
    """A live campaign with the channel "poster" of its document."""
    make(as_marketer, starts_at=NOW.isoformat())
    assert as_marketer.post(f"{BASE}/publish").status_code == 302
    assert status() == "live"
    return db.session.scalar(select(Campaign))


def test_a_channel_added_to_a_live_campaign_leaves_its_rules_alone(as_marketer, live):
    rules_before = [(v.version, v.rules_hash) for v in live.rules_versions]

    response = as_marketer.post(f"{BASE}/channels", data={"channel": "table card"})

    assert response.status_code == 302
    db.session.expire_all()
    campaign = db.session.scalar(select(Campaign))
    assert [c.name for c in campaign.channels] == ["poster", "table card"]
    assert [(v.version, v.rules_hash) for v in campaign.rules_versions] == rules_before
    assert "table card" not in campaign.rules_versions[0].rules_json and campaign.status == "live"
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "campaign.channel_add"))
    assert (entry.before, entry.after) == ({"channels": ["poster"]}, {"channels": ["poster", "table card"]})


def test_each_channel_shows_its_qr_code_made_by_wechat_and_a_download_link(as_marketer, live, wechat):
    channel = live.channels[0]
    qr = f"{BASE}/channel-qr?channel={channel.id}"

    page = as_marketer.get(BASE).get_data(as_text=True)
    image = as_marketer.get(qr)
    download = as_marketer.get(f"{qr}&download=1")

    assert f'<img src="{qr}"' in page and f'href="{qr}&amp;download=1" download' in page
    assert image.status_code == 200 and image.mimetype == "image/png" and image.data.startswith(b"\x89PNG")
    assert download.headers["Content-Disposition"] == f'attachment; filename="spring-wheel-channel-{channel.id}.png"'
    db.session.expire_all()
    ticket = db.session.get(type(channel), channel.id).qr_ticket
    assert wechat.state.qrcodes[ticket]["scene"] == channel.scene
    assert download.data == image.data  # the permanent ticket is made once and kept


def test_a_bad_channel_name_is_refused_next_to_the_field(as_marketer, live):
    for name, message in (
        ("", "Give the channel a name"),
        ("poster", "already has a channel with this name"),
        ("x" * 65, "at most 64 characters"),
    ):
        response = as_marketer.post(f"{BASE}/channels", data={"channel": name})
        assert response.status_code == 400
        assert 'data-field="channel"' in response.get_data(as_text=True)
        assert message in response.get_data(as_text=True)
    db.session.expire_all()
    assert [c.name for c in db.session.scalar(select(Campaign)).channels] == ["poster"]


def test_operators_see_qr_codes_but_cannot_add_channels(client, live, operator):
    from tests.console.conftest import sign_in

    sign_in(client, operator)
    assert client.post(f"{BASE}/channels", data={"channel": "flyer"}).status_code == 403
    assert client.get(f"{BASE}/channel-qr?channel={live.channels[0].id}").status_code == 200
    assert client.get(f"{BASE}/channel-qr?channel=999999").status_code == 404
    assert client.get(f"{BASE}/channel-qr").status_code == 404


def test_an_ended_campaign_takes_no_new_channel(as_marketer, live):
    as_marketer.post(f"{BASE}/end")

    response = as_marketer.post(f"{BASE}/channels", data={"channel": "late"}, headers={"Accept": "application/json"})

    assert response.status_code == 409
    assert json.loads(response.data)["error"]["code"] == "conflict"
