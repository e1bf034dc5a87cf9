"""Building WeChat pushes the way WeChat does, with wechatpy's own signer and encryptor.

WeChat signs each delivery with the time it sends it, and the app refuses a timestamp more
than five minutes from its clock, so :func:`delivery` is stamped with the app's clock
(:func:`stamp`) or, by default, the real time.
"""

from __future__ import annotations

import hashlib
import re
import time
from xml.etree import ElementTree

from flask import Flask
from wechatpy.crypto import WeChatCrypto

TOKEN = "token"
AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"  # tests.factories' default


def sign(*parts: str) -> str:
    """WeChat's signature: SHA-1 of the sorted parts."""
    return hashlib.sha1("".join(sorted(parts)).encode()).hexdigest()


def event_xml(app_id: str, openid: str, event: str, key: str = "", created: int | None = None) -> str:
    """A ``subscribe`` / ``SCAN`` / ``unsubscribe`` event push."""
    created = created or int(time.time())
    return (
        f"<xml><ToUserName><![CDATA[gh_{app_id}]]></ToUserName><FromUserName><![CDATA[{openid}]]></FromUserName>"
        f"<CreateTime>{created}</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[{event}]]></Event>"
        f"<EventKey><![CDATA[{key}]]></EventKey></xml>"
    )


def stamp(app: Flask, seconds_off: int = 0) -> str:
    """The ``timestamp`` WeChat would sign now by the app's clock, or ``seconds_off`` from it."""
    return str(int(app.extensions["services"].clock.now().timestamp()) + seconds_off)


def delivery(
    app_id: str,
    xml: str,
    mode: str = "plaintext",
    token: str = TOKEN,
    aes_key: str = AES_KEY,
    timestamp: str | None = None,
    nonce: str = "n0nce",
) -> tuple[dict[str, str], str]:
    """The query string and body WeChat would send for ``xml`` in ``mode`` (signed now unless ``timestamp``)."""
    timestamp = str(int(time.time())) if timestamp is None else timestamp
    args = {"signature": sign(token, timestamp, nonce), "timestamp": timestamp, "nonce": nonce, "openid": "o"}
    if mode == "plaintext":
        return args, xml
    envelope = WeChatCrypto(token, aes_key, app_id).encrypt_message(xml, nonce, timestamp)
    encrypt = re.search(r"<Encrypt><!\[CDATA\[(.*?)\]\]></Encrypt>", envelope).group(1)
    msg_signature = re.search(r"<MsgSignature><!\[CDATA\[(.*?)\]\]></MsgSignature>", envelope).group(1)
    args.update(encrypt_type="aes", msg_signature=msg_signature)
    if mode == "compatible":
        return args, xml.replace("</xml>", f"<Encrypt><![CDATA[{encrypt}]]></Encrypt></xml>")
    return args, f"<xml><ToUserName><![CDATA[gh_{app_id}]]></ToUserName><Encrypt><![CDATA[{encrypt}]]></Encrypt></xml>"


def read_reply(body: str, app_id: str, token: str = TOKEN, aes_key: str = AES_KEY) -> dict[str, str] | None:
    """The fields of the webhook's passive reply (decrypted and its signature checked when sealed); None for
    ``success``. News articles come as ``Articles`` (a list of dicts)."""
    if body == "success":
        return None
    root = ElementTree.fromstring(body)
    if root.find("Encrypt") is not None:
        signature, timestamp, nonce = (root.findtext(name) for name in ("MsgSignature", "TimeStamp", "Nonce"))
        body = WeChatCrypto(token, aes_key, app_id).decrypt_message(body, signature, timestamp, nonce)
        root = ElementTree.fromstring(body)
    fields = {child.tag: (child.text or "").strip() for child in root if child.tag != "Articles"}
    articles = root.find("Articles")
    if articles is not None:
        fields["Articles"] = [{child.tag: (child.text or "").strip() for child in item} for item in articles]
    return fields
