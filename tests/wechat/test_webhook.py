"""The message push webhook: signatures, three modes, hostile XML, retries and attribution."""
from __future__ import annotations

from datetime import timedelta

import pytest

from campaigns.keys import CampaignKeys
from extensions import db
from tests.factories import NOW, CampaignFactory, ChannelFactory, OfficialAccountFactory
from tests.wechat.pushes import delivery, event_xml, sign

MODES = ("plaintext", "compatible", "aes")


@pytest.fixture
def account(app):
    return OfficialAccountFactory(slug="brand")


@pytest.fixture
def campaign(account):
    campaign = CampaignFactory(account=account, status="live", starts_at=NOW - timedelta(days=1))
    ChannelFactory(campaign=campaign, name="poster", scene="spring:poster")
    db.session.commit()
    return campaign


def stream(services, campaign) -> list[dict]:
    return [fields for _, fields in services.redis.xrange(CampaignKeys(campaign.id).events)]


def post(client, account, xml: str, mode: str = "plaintext", **overrides):
    args, body = delivery(account.app_id, xml, mode)
    args.update(overrides)
    return client.post(f"/wechat/{account.slug}/callback", query_string=args, data=body, content_type="text/xml")


def test_the_url_check_echoes_only_when_signed_with_our_token(client, account):
    args = {"signature": sign("token", "1", "2"), "timestamp": "1", "nonce": "2", "echostr": "hello123"}
    answer = client.get(f"/wechat/{account.slug}/callback", query_string=args)
    assert answer.status_code == 200 and answer.get_data(as_text=True) == "hello123"
    forged = client.get(f"/wechat/{account.slug}/callback", query_string={**args, "signature": sign("x", "1", "2")})
    assert forged.status_code == 403 and "hello123" not in forged.get_data(as_text=True)


@pytest.mark.parametrize("mode", MODES)
def test_a_channel_follow_is_recorded_for_the_channel_campaign(client, services, account, campaign, mode):
    xml = event_xml(account.app_id, "oFan", "subscribe", key="qrscene_spring:poster", created=1763892000)
    answer = post(client, account, xml, mode)
    assert answer.status_code == 200 and answer.get_data(as_text=True) == "success"
    [event] = stream(services, campaign)
    assert event["type"] == "follow" and event["openid"] == "oFan" and event["ts"] == "1763892000000"
    assert event["scene"] == "spring:poster" and event["channel"] == "poster" and event["via"] == "subscribe"


# Plaintext pushes carry no msg_signature, so that forgery exists only in the two encrypted modes.
FORGERIES = [(mode, forged) for mode in MODES for forged in ("signature", "msg_signature", "token")
             if not (mode == "plaintext" and forged == "msg_signature")]


@pytest.mark.parametrize("mode, forged", FORGERIES)
def test_a_bad_signature_is_refused_and_nothing_recorded(client, services, account, campaign, mode, forged):
    xml = event_xml(account.app_id, "oFan", "subscribe", key="qrscene_spring:poster")
    if forged == "token":
        args, body = delivery(account.app_id, xml, mode, token="not-our-token")
        answer = client.post(f"/wechat/{account.slug}/callback", query_string=args, data=body)
    else:
        answer = post(client, account, xml, mode, **{forged: "0" * 40})
    assert answer.status_code == 403
    assert stream(services, campaign) == []


def test_an_encrypted_push_for_another_app_is_refused(client, services, account, campaign):
    args, body = delivery("wxsomeoneelse000001", event_xml("x", "oFan", "subscribe"), "aes")
    answer = client.post(f"/wechat/{account.slug}/callback", query_string=args, data=body)
    assert answer.status_code == 403 and stream(services, campaign) == []


BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<xml><ToUserName>gh</ToUserName><FromUserName>&lol3;</FromUserName><CreateTime>1</CreateTime>
<MsgType>event</MsgType><Event>unsubscribe</Event></xml>"""

XXE = """<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<xml><ToUserName>gh</ToUserName><FromUserName>&xxe;</FromUserName><CreateTime>1</CreateTime>
<MsgType>event</MsgType><Event>unsubscribe</Event></xml>"""


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("body", [BILLION_LAUGHS, XXE, "<xml><ToUserName>gh</ToUserName><FromUser", "not xml", ""],
                         ids=["billion-laughs", "xxe", "truncated", "garbage", "empty"])
def test_hostile_or_broken_xml_is_refused_and_nothing_recorded(client, services, account, campaign, mode, body):
    answer = post(client, account, body, mode)
    assert answer.status_code == 400
    assert stream(services, campaign) == []


def test_retried_deliveries_are_recorded_once(client, services, account, campaign):
    xml = event_xml(account.app_id, "oFan", "subscribe", key="qrscene_spring:poster", created=1763892000)
    for mode in ("aes", "aes", "plaintext", "compatible"):
        assert post(client, account, xml, mode).get_data(as_text=True) == "success"
    later = event_xml(account.app_id, "oFan", "subscribe", key="qrscene_spring:poster", created=1763892099)
    post(client, account, later)
    assert [e["ts"] for e in stream(services, campaign)] == ["1763892000000", "1763892099000"]


@pytest.mark.clock
def test_unfollows_and_follows_without_a_channel_go_to_every_recent_campaign(client, services, account, campaign, clock):
    paused = CampaignFactory(account=account, status="paused")
    ended_lately = CampaignFactory(account=account, status="ended", ends_at=NOW - timedelta(days=3))
    ended_long_ago = CampaignFactory(account=account, status="ended", ends_at=NOW - timedelta(days=10))
    draft = CampaignFactory(account=account, status="draft")
    other_brand = CampaignFactory(status="live")
    db.session.commit()
    post(client, account, event_xml(account.app_id, "oFan", "unsubscribe", created=1763892000))
    post(client, account, event_xml(account.app_id, "oNew", "subscribe", created=1763892001))
    for target in (campaign, paused, ended_lately):
        assert [(e["type"], e["openid"], e["scene"], e["channel"]) for e in stream(services, target)] == [
            ("unfollow", "oFan", "", ""), ("follow", "oNew", "", "")]
    for untouched in (ended_long_ago, draft, other_brand):
        assert stream(services, untouched) == []


def test_a_scan_by_a_follower_is_a_follow_marked_as_a_scan(client, services, account, campaign):
    post(client, account, event_xml(account.app_id, "oFan", "SCAN", key="spring:poster"))
    [event] = stream(services, campaign)
    assert (event["type"], event["scene"], event["channel"], event["via"]) == ("follow", "spring:poster", "poster", "scan")


def test_other_messages_are_acknowledged_and_ignored(client, services, account, campaign):
    text = ("<xml><ToUserName>gh</ToUserName><FromUserName>oFan</FromUserName><CreateTime>1</CreateTime>"
            "<MsgType>text</MsgType><Content>你好</Content><MsgId>1234567890</MsgId></xml>")
    answer = post(client, account, text, "aes")
    assert answer.get_data(as_text=True) == "success" and stream(services, campaign) == []


def test_an_unknown_account_is_not_found(client):
    assert client.post("/wechat/nobody/callback", data="<xml/>").status_code == 404


def test_a_follow_from_a_campaign_prompt_goes_to_that_campaign_only(client, services, account, campaign):
    other = CampaignFactory(account=account, status="live")
    db.session.commit()
    post(client, account, event_xml(account.app_id, "oFan", "subscribe", key=f"qrscene_campaign:{campaign.slug}"))
    [event] = stream(services, campaign)
    assert (event["type"], event["scene"], event["channel"]) == ("follow", f"campaign:{campaign.slug}", "")
    assert stream(services, other) == []
