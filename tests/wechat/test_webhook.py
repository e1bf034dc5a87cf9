"""The message push webhook: signatures, three modes, freshness, hostile XML, retries and attribution."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest

from campaigns.keys import CampaignKeys
from extensions import db
from tests.factories import NOW, CampaignFactory, ChannelFactory, OfficialAccountFactory
from tests.wechat.pushes import delivery, event_xml, read_reply, sign, stamp

MODES = ("plaintext", "compatible", "aes")
FIVE_MINUTES = 5 * 60


@pytest.fixture
def mode():
    """The account's push mode; a test parametrized on ``mode`` overrides it."""
    return "aes"


@pytest.fixture
def account(app, mode):
    """The brand's account, set up as in WeChat: an EncodingAESKey unless it pushes plaintext."""
    return OfficialAccountFactory(slug="brand", **({"aes_key_sealed": ""} if mode == "plaintext" else {}))


@pytest.fixture
def campaign(account):
    campaign = CampaignFactory(account=account, status="live", starts_at=NOW - timedelta(days=1))
    ChannelFactory(campaign=campaign, name="poster", scene="spring:poster")
    db.session.commit()
    return campaign


def stream(services, campaign) -> list[dict]:
    return [fields for _, fields in services.redis.xrange(CampaignKeys(campaign.id).events)]


def send(client, account, args: dict[str, str], body: str):
    return client.post(f"/wechat/{account.slug}/callback", query_string=args, data=body, content_type="text/xml")


def post(client, account, xml: str, mode: str | None = None, timestamp: str | None = None, **overrides):
    """Deliver ``xml`` signed now by the app's clock, in the account's mode unless ``mode`` is given."""
    mode = mode or ("aes" if account.aes_key_sealed else "plaintext")
    timestamp = stamp(client.application) if timestamp is None else timestamp
    args, body = delivery(account.app_id, xml, mode, timestamp=timestamp)
    args.update(overrides)
    return send(client, account, args, body)


def refusals(caplog) -> list[str]:
    return [record.reason for record in caplog.records if record.getMessage() == "wechat push refused"]


def test_the_url_check_echoes_only_when_signed_with_our_token(client, account):
    args = {"signature": sign("token", "1", "2"), "timestamp": "1", "nonce": "2", "echostr": "hello123"}
    answer = client.get(f"/wechat/{account.slug}/callback", query_string=args)
    assert answer.status_code == 200 and answer.get_data(as_text=True) == "hello123"
    forged = client.get(f"/wechat/{account.slug}/callback", query_string={**args, "signature": sign("x", "1", "2")})
    assert forged.status_code == 403 and "hello123" not in forged.get_data(as_text=True)


@pytest.mark.clock
@pytest.mark.parametrize("mode", MODES)
def test_a_channel_follow_is_recorded_for_the_channel_campaign(client, services, account, campaign, mode):
    xml = event_xml(account.app_id, "oFan", "subscribe", key="qrscene_spring:poster", created=1763892000)
    answer = post(client, account, xml, mode)
    assert answer.status_code == 200
    [article] = read_reply(answer.get_data(as_text=True), account.app_id)["Articles"]
    assert article["Url"].endswith(f"/c/{campaign.slug}/?ch=spring%3Aposter")
    [event] = stream(services, campaign)
    assert event["type"] == "follow" and event["openid"] == "oFan" and event["ts"] == "1763892000000"
    assert event["scene"] == "spring:poster" and event["channel"] == "poster" and event["via"] == "subscribe"


# Plaintext pushes carry no msg_signature, so that forgery exists only in the two encrypted modes.
FORGERIES = [
    (mode, forged)
    for mode in MODES
    for forged in ("signature", "msg_signature", "token")
    if not (mode == "plaintext" and forged == "msg_signature")
]


@pytest.mark.parametrize("mode, forged", FORGERIES)
def test_a_bad_signature_is_refused_and_nothing_recorded(client, services, account, campaign, mode, forged):
    xml = event_xml(account.app_id, "oFan", "subscribe", key="qrscene_spring:poster")
    if forged == "token":
        args, body = delivery(account.app_id, xml, mode, token="not-our-token", timestamp=stamp(client.application))
        answer = send(client, account, args, body)
    else:
        answer = post(client, account, xml, mode, **{forged: "0" * 40})
    assert answer.status_code == 403
    assert stream(services, campaign) == []


def test_an_encrypted_push_for_another_app_is_refused(client, services, account, campaign):
    args, body = delivery(
        "wxsomeoneelse000001", event_xml("x", "oFan", "subscribe"), "aes", timestamp=stamp(client.application)
    )
    answer = send(client, account, args, body)
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
@pytest.mark.parametrize(
    "body",
    [BILLION_LAUGHS, XXE, "<xml><ToUserName>gh</ToUserName><FromUser", "not xml", ""],
    ids=["billion-laughs", "xxe", "truncated", "garbage", "empty"],
)
def test_hostile_or_broken_xml_is_refused_and_nothing_recorded(client, services, account, campaign, mode, body):
    answer = post(client, account, body, mode)
    assert answer.status_code == 400
    assert stream(services, campaign) == []


@pytest.mark.clock
def test_retried_deliveries_are_recorded_once(client, services, account, campaign, clock):
    xml = event_xml(account.app_id, "oFan", "subscribe", key="qrscene_spring:poster", created=1763892000)
    first = read_reply(post(client, account, xml).get_data(as_text=True), account.app_id)
    for mode in ("aes", "compatible"):
        assert read_reply(post(client, account, xml, mode).get_data(as_text=True), account.app_id) == first
    clock.advance(minutes=4)  # a late retry, still inside the five minutes: the same reply, the first CreateTime
    assert read_reply(post(client, account, xml).get_data(as_text=True), account.app_id) == first
    later = event_xml(account.app_id, "oFan", "subscribe", key="qrscene_spring:poster", created=1763892099)
    post(client, account, later)
    assert [e["ts"] for e in stream(services, campaign)] == ["1763892000000", "1763892099000"]


@pytest.mark.clock
@pytest.mark.parametrize("mode", MODES)
def test_a_push_replayed_after_five_minutes_is_refused_and_logged(
    client, services, account, campaign, clock, mode, caplog
):
    genuine = event_xml(account.app_id, "oFan", "subscribe", key="qrscene_spring:poster", created=1763892000)
    args, body = delivery(account.app_id, genuine, mode, timestamp=stamp(client.application))
    assert send(client, account, args, body).status_code == 200
    clock.advance(minutes=5, seconds=1)
    # In plaintext the signature does not cover the body: whoever saw the query string can send any push with it.
    replay = (
        body
        if mode != "plaintext"
        else event_xml(account.app_id, "oMallory", "subscribe", key="qrscene_spring:poster", created=1763892300)
    )
    with caplog.at_level(logging.WARNING, logger="web.wechat"):
        answer = send(client, account, args, replay)
    assert answer.status_code == 403 and answer.get_data(as_text=True) == "forbidden"
    assert [e["openid"] for e in stream(services, campaign)] == ["oFan"]
    assert refusals(caplog) == ["timestamp more than five minutes from the clock"]


@pytest.mark.clock
@pytest.mark.parametrize("mode", MODES)
def test_a_future_dated_push_is_refused_and_logged(client, services, account, campaign, mode, caplog):
    xml = event_xml(account.app_id, "oFan", "subscribe", key="qrscene_spring:poster")
    with caplog.at_level(logging.WARNING, logger="web.wechat"):
        answer = post(client, account, xml, timestamp=stamp(client.application, FIVE_MINUTES + 1))
    assert answer.status_code == 403 and stream(services, campaign) == []
    assert refusals(caplog) == ["timestamp more than five minutes from the clock"]


@pytest.mark.parametrize("timestamp", ["1763892000.5", "soon"])
def test_a_timestamp_that_is_not_a_whole_number_is_refused(client, services, account, campaign, timestamp):
    answer = post(client, account, event_xml(account.app_id, "oFan", "subscribe"), timestamp=timestamp)
    assert answer.status_code == 403 and stream(services, campaign) == []


@pytest.mark.clock
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("seconds_off", [-FIVE_MINUTES, 0, FIVE_MINUTES], ids=["5-min-old", "now", "5-min-ahead"])
def test_a_genuine_push_within_five_minutes_is_recorded_in_every_mode(
    client, services, account, campaign, mode, seconds_off
):
    xml = event_xml(account.app_id, "oFan", "subscribe", key="qrscene_spring:poster")
    answer = post(client, account, xml, timestamp=stamp(client.application, seconds_off))
    assert read_reply(answer.get_data(as_text=True), account.app_id)["MsgType"] == "news"
    assert [(e["type"], e["openid"]) for e in stream(services, campaign)] == [("follow", "oFan")]


@pytest.mark.parametrize("sent_as", ["plaintext", "compatible-without-encrypt_type", "compatible-without-both"])
def test_a_plaintext_push_to_an_account_with_an_aes_key_is_refused(
    client, services, account, campaign, sent_as, caplog
):
    xml = event_xml(account.app_id, "oFan", "subscribe", key="qrscene_spring:poster")
    args, body = delivery(account.app_id, xml, sent_as.split("-")[0], timestamp=stamp(client.application))
    args.pop("encrypt_type", None)
    if sent_as != "compatible-without-encrypt_type":
        args.pop("msg_signature", None)
    with caplog.at_level(logging.WARNING, logger="web.wechat"):
        answer = send(client, account, args, body)
    assert answer.status_code == 403 and stream(services, campaign) == []
    assert refusals(caplog) == ["plaintext push to an account with an EncodingAESKey"]


@pytest.mark.clock
def test_unfollows_and_follows_without_a_channel_go_to_every_recent_campaign(
    client, services, account, campaign, clock
):
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
            ("unfollow", "oFan", "", ""),
            ("follow", "oNew", "", ""),
        ]
    for untouched in (ended_long_ago, draft, other_brand):
        assert stream(services, untouched) == []


def test_a_scan_by_a_follower_is_a_follow_marked_as_a_scan(client, services, account, campaign):
    post(client, account, event_xml(account.app_id, "oFan", "SCAN", key="spring:poster"))
    [event] = stream(services, campaign)
    assert (event["type"], event["scene"], event["channel"], event["via"]) == (
        "follow",
        "spring:poster",
        "poster",
        "scan",
    )


def test_other_messages_are_acknowledged_and_ignored(client, services, account, campaign):
    text = (
        "<xml><ToUserName>gh</ToUserName><FromUserName>oFan</FromUserName><CreateTime>1</CreateTime>"
        "<MsgType>text</MsgType><Content>你好</Content><MsgId>1234567890</MsgId></xml>"
    )
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
