"""The webhook's per-process account book follows the console: a new account or channel counts at once."""

from __future__ import annotations

import pytest

from campaigns.keys import CampaignKeys
from extensions import db
from tests.factories import CampaignFactory
from tests.wechat.pushes import event_xml, sign, stamp


def url_check(client, slug: str, token: str):
    args = {"signature": sign(token, "1", "2"), "timestamp": "1", "nonce": "2", "echostr": "hello"}
    return client.get(f"/wechat/{slug}/callback", query_string=args)


def test_an_account_added_in_the_console_passes_wechats_url_check_at_once(as_admin):
    assert url_check(as_admin, "new-brand", "server-token").status_code == 404  # remembered as unknown
    form = {
        "name": "New",
        "slug": "new-brand",
        "app_id": "wxnew00000000001",
        "app_secret": "app-secret",
        "token": "server-token",
    }
    assert as_admin.post("/console/accounts", data=form).status_code == 302
    assert url_check(as_admin, "new-brand", "server-token").get_data(as_text=True) == "hello"


@pytest.mark.clock  # the factory's campaign runs around NOW: the app's clock stands there too
def test_a_channel_added_to_a_live_campaign_gets_its_follows_at_once(as_marketer, account, services):
    account.aes_key_sealed = ""  # plaintext pushes
    campaign = CampaignFactory(account=account, slug="spring", status="live")
    db.session.commit()
    xml = event_xml(account.app_id, "oFan", "subscribe", key="qrscene_unknown")
    as_marketer.post(f"/wechat/{account.slug}/callback", query_string=_plain(as_marketer, account), data=xml)
    assert as_marketer.post("/console/campaigns/spring/channels", data={"channel": "海报"}).status_code == 302
    scene = campaign.channels[0].scene
    xml = event_xml(account.app_id, "oFan", "subscribe", key=f"qrscene_{scene}", created=1763892001)
    as_marketer.post(f"/wechat/{account.slug}/callback", query_string=_plain(as_marketer, account), data=xml)
    channels = [f["channel"] for _, f in services.redis.xrange(CampaignKeys(campaign.id).events)]
    assert channels == ["", "海报"]


def _plain(client, account) -> dict[str, str]:
    timestamp = stamp(client.application)
    return {"signature": sign("demotoken", timestamp, "n"), "timestamp": timestamp, "nonce": "n"}
