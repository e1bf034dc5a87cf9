"""The WeChat webhook fuzzed with malformed XML behind a valid signature: never a 500.

Hostile XML by name (billion laughs, external entities) and forged or replayed pushes are
proved in tests/wechat/test_webhook.py; here hypothesis writes the bodies.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.factories import OfficialAccountFactory
from tests.wechat.pushes import delivery, event_xml

TAGS = [
    "xml",
    "ToUserName",
    "FromUserName",
    "CreateTime",
    "MsgType",
    "Event",
    "EventKey",
    "Encrypt",
    "CardId",
    "UserCardCode",
    "Ticket",
    "MsgId",
]
VALUES = st.one_of(
    st.text(max_size=40),
    st.sampled_from(
        [
            "event",
            "subscribe",
            "unsubscribe",
            "SCAN",
            "qrscene_",
            "qrscene_a:b",
            "user_get_card",
            "user_consume_card",
            "-1",
            "99999999999999999999",
            "",
            "&amp;",
            "&lol;",
            "]]>",
            "\x00",
        ]
    ),
)


def element(children):
    """An element with a tag from WeChat's vocabulary (or not), text or children, maybe as CDATA."""
    tag = st.sampled_from(TAGS) | st.from_regex(r"[A-Za-z_][A-Za-z0-9_.-]{0,8}", fullmatch=True)
    text = VALUES.map(lambda v: v.replace("<", "&lt;")) | VALUES.map(lambda v: f"<![CDATA[{v}]]>")
    body = st.lists(children, max_size=4).map("".join) | text
    return st.tuples(tag, body).map(lambda pair: f"<{pair[0]}>{pair[1]}</{pair[0]}>")


XMLISH = st.recursive(VALUES.map(lambda v: v.replace("<", "&lt;")), element, max_leaves=12)


def mutated(xml: str):
    """``xml`` with a slice cut out or replaced by something else."""
    return st.tuples(st.integers(0, len(xml)), st.integers(0, 20), st.text(max_size=10)).map(
        lambda cut: xml[: cut[0]] + cut[2] + xml[cut[0] + cut[1] :]
    )


BODIES = st.one_of(
    XMLISH.map(lambda inner: f"<xml>{inner}</xml>"),
    XMLISH,
    mutated(event_xml("wx0000000000000001", "oFan", "subscribe", key="qrscene_x:y", created=1763892000)),
    st.binary(max_size=300).map(lambda raw: raw.decode("latin-1")),
    st.sampled_from(
        [
            '<?xml version="1.0" encoding="gbk"?><xml/>',
            "<xml><xml><xml></xml>",
            "<!DOCTYPE xml><xml/>",
            "<xml>" * 200,
            '<?xml-stylesheet href="x"?><xml/>',
            "\ufeff<xml/>",
        ]
    ),
)


@pytest.fixture
def accounts(app):
    """One account per mode: a plaintext push reaches the parser only for an account without an AES key."""
    keyed = OfficialAccountFactory(slug="brand")
    return {
        "plaintext": OfficialAccountFactory(slug="plain-brand", aes_key_sealed=""),
        "compatible": keyed,
        "aes": keyed,
    }


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(
    body=BODIES,
    mode=st.sampled_from(["plaintext", "plaintext", "compatible", "aes"]),
    content_type=st.sampled_from(["text/xml", "application/xml", "text/plain", "application/json"]),
)
def test_signed_malformed_pushes_never_answer_500(client, accounts, body, mode, content_type):
    account = accounts[mode]
    try:
        args, data = delivery(account.app_id, body, mode)
    except Exception:  # noqa: BLE001 - wechatpy cannot even encrypt it; nothing to send
        return
    answer = client.post(
        f"/wechat/{account.slug}/callback",
        query_string=args,
        data=data.encode("utf-8", "surrogatepass"),
        content_type=content_type,
    )
    assert answer.status_code in (200, 400, 403), (answer.status_code, body)
    if answer.status_code == 200:
        body = answer.get_data(as_text=True)
        assert body == "success" or body.startswith("<xml>"), body
