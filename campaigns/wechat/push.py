"""WeChat's message pushes: verify, decrypt and parse them safely, then record follow events.

XML is parsed with defusedxml and any DTD is refused, so entity expansion (billion
laughs) and external entities (XXE) never run. Pushes are recorded at most once: WeChat
retries a push it got no answer to within 5 seconds, and the retries carry the same
``MsgId``, or the same ``FromUserName`` + ``CreateTime`` for events.

A push is accepted only while its signed ``timestamp`` is within five minutes of the clock,
so a query string seen once (a proxy log) cannot be replayed later. The mode comes from the
account, never from the request: an account with an EncodingAESKey takes encrypted pushes only.
"""

from __future__ import annotations

import hashlib
import struct
from collections.abc import Mapping
from datetime import datetime
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring
from wechatpy.crypto import WeChatCrypto
from wechatpy.exceptions import InvalidAppIdException, InvalidSignatureException
from wechatpy.utils import check_signature

from .. import events
from ..clock import to_ms
from ..keys import WeChatKeys
from .accounts import Credentials
from .follow import forget_following

MAX_BODY_BYTES = 64 * 1024
# Longer than WeChat's retry window (three retries a few seconds apart).
DEDUPE_SECONDS = 24 * 3600
FOLLOW_EVENTS = {"subscribe": "follow", "scan": "follow", "unsubscribe": "unfollow"}
# How far a push's signed timestamp may be from the clock, either way, before it is a replay.
FRESH_SECONDS = 5 * 60


class BadSignature(Exception):
    """The push is not from WeChat (or not for this account): 403, nothing recorded.

    Also a replay (timestamp outside the five minutes) and a plaintext push to an account
    with an EncodingAESKey: both may carry a genuine signature, neither is a push WeChat sent now.
    """


class MalformedPush(Exception):
    """The push cannot be read (truncated, oversized, or XML with a DTD): 400, nothing recorded."""


def parse_xml(body: bytes | str) -> dict[str, str]:
    """The child elements of a push's ``<xml>`` root as a flat dict; refuses any DTD."""
    if len(body) > MAX_BODY_BYTES:
        raise MalformedPush("push too large")
    try:
        root = fromstring(body, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except (ParseError, DefusedXmlException, ValueError) as exc:
        raise MalformedPush(type(exc).__name__) from None
    if root.tag != "xml":
        raise MalformedPush("not a WeChat push")
    return {child.tag: (child.text or "").strip() for child in root}


def verify_echo(creds: Credentials, args: Mapping[str, str]) -> str:
    """The ``echostr`` to send back when WeChat's URL check is signed with our token."""
    _check(creds, args)
    return args.get("echostr", "")


def _check(creds: Credentials, args: Mapping[str, str]) -> None:
    try:
        check_signature(creds.token, args.get("signature", ""), args.get("timestamp", ""), args.get("nonce", ""))
    except InvalidSignatureException:
        raise BadSignature("signature") from None


def check_fresh(args: Mapping[str, str], now: datetime) -> None:
    """Refuse a push whose signed ``timestamp`` is more than five minutes from ``now``, past or future."""
    try:
        sent = int(args.get("timestamp", ""))
    except ValueError:
        raise BadSignature("timestamp is not a number") from None
    if abs(sent - now.timestamp()) > FRESH_SECONDS:
        raise BadSignature("timestamp more than five minutes from the clock")


def open_push(creds: Credentials, args: Mapping[str, str], body: bytes, now: datetime) -> dict[str, str]:
    """The push's fields, once signed, fresh and, when the account has an EncodingAESKey, decrypted."""
    _check(creds, args)
    check_fresh(args, now)
    if not creds.aes_key:
        envelope = parse_xml(body)
        if args.get("encrypt_type", "raw") == "aes":
            raise MalformedPush("encrypted push to an account without an EncodingAESKey")
        return envelope
    # In plaintext the signature does not cover the body, so the account's mode decides, not the request.
    if args.get("encrypt_type") != "aes" or not args.get("msg_signature"):
        raise BadSignature("plaintext push to an account with an EncodingAESKey")
    envelope = parse_xml(body)
    if not envelope.get("Encrypt"):
        raise MalformedPush("encrypted push without Encrypt")
    crypto = WeChatCrypto(creds.token, creds.aes_key, creds.app_id)
    try:
        # A dict, so wechatpy does not re-parse the envelope with its own (non-defused) parser.
        plaintext = crypto.decrypt_message(
            {"Encrypt": envelope["Encrypt"]}, args["msg_signature"], args.get("timestamp", ""), args.get("nonce", "")
        )
    except (InvalidSignatureException, InvalidAppIdException):
        raise BadSignature("msg_signature") from None
    except (ValueError, TypeError, IndexError, UnicodeDecodeError, struct.error):
        # Signed but not ciphertext of ours (random bytes, a cut block): wechatpy's unpacking fails somewhere.
        raise MalformedPush("cannot decrypt") from None
    return parse_xml(plaintext.encode("utf-8") if isinstance(plaintext, str) else plaintext)


def dedupe_id(fields: Mapping[str, str]) -> str:
    """What makes two deliveries the same push."""
    if fields.get("MsgId"):
        return "msg:" + fields["MsgId"]
    # Event type, key and card code too: one follower can cause two different pushes in a second.
    parts = tuple(fields.get(name, "") for name in ("FromUserName", "CreateTime", "Event", "EventKey", "UserCardCode"))
    return "event:" + hashlib.sha256("|".join(parts).encode()).hexdigest()[:32]


def first_delivery(redis, app_id: str, fields: Mapping[str, str]) -> bool:
    """Claim the push; False when an earlier delivery of it was already recorded."""
    return bool(redis.set(WeChatKeys(app_id).push(dedupe_id(fields)), "1", nx=True, ex=DEDUPE_SECONDS))


def release(redis, app_id: str, fields: Mapping[str, str]) -> None:
    """Give the claim back (recording failed), so WeChat's retry is recorded instead."""
    redis.delete(WeChatKeys(app_id).push(dedupe_id(fields)))


def scene_of(fields: Mapping[str, str]) -> str:
    """The QR scene of a follow: ``qrscene_<scene>`` on subscribe, ``<scene>`` on SCAN."""
    key = fields.get("EventKey", "")
    event = fields.get("Event", "").lower()
    if event == "subscribe":
        return key[len("qrscene_") :] if key.startswith("qrscene_") else ""
    return key if event == "scan" else ""


def record_follow(
    redis, app_id: str, fields: Mapping[str, str], targets: list[int], channel: str, now: datetime
) -> list[str]:
    """Append the follow/unfollow event of a push to the campaigns ``targets``; return their event ids.

    Which campaigns a push concerns (its channel's, or every recent one) is decided from the
    account's book (``book.AccountBook.follow_targets``), so recording a follow reads no SQL.
    """
    event = fields.get("Event", "").lower()
    kind, openid, scene = FOLLOW_EVENTS[event], fields.get("FromUserName", ""), scene_of(fields)
    try:
        ts_ms = int(fields.get("CreateTime", "")) * 1000
    except ValueError:
        ts_ms = to_ms(now)
    # The same id for every delivery of the push, so ingestion is idempotent too.
    event_id = "wx-" + hashlib.sha256(f"{app_id}|{dedupe_id(fields)}".encode()).hexdigest()[:24]
    for campaign_id in targets:
        events.append(
            redis, campaign_id, kind, openid, ts_ms, event_id=event_id, scene=scene, channel=channel, via=event
        )
    forget_following(redis, app_id, openid)
    return [event_id] * len(targets)


def is_follow_event(fields: Mapping[str, str]) -> bool:
    """Whether the push is a subscribe, SCAN or unsubscribe event."""
    return fields.get("MsgType") == "event" and fields.get("Event", "").lower() in FOLLOW_EVENTS
