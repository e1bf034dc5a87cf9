"""One push from WeChat, end to end: open it, record it once, and answer it within WeChat's 5 seconds.

The answer is WeChat's reply XML (or ``success`` for no reply), encrypted with wechatpy's crypto when
the account takes encrypted pushes (the only ones it accepts then, in compatible or safe mode alike).
It is chosen from the account's book, with no WeChat call and no SQL, and remembered in Redis under
the push's dedupe id, so each of WeChat's retries gets the answer the first delivery got.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session
from wechatpy.crypto import WeChatCrypto

from ..catalog.models import OfficialAccount
from ..coupons.push import CARD_EVENTS, handle_card_event
from ..keys import WeChatKeys
from . import push
from .accounts import Credentials
from .answers import choose, render
from .book import AccountBook

# Keep the first answer; every delivery reads back the one kept. One key, so Redis Cluster is fine.
_REMEMBER = "redis.call('SET', KEYS[1], ARGV[1], 'NX', 'EX', ARGV[2]) return redis.call('GET', KEYS[1])"


@dataclass(frozen=True)
class Reply:
    """The body and content type of the webhook's answer."""

    body: str
    content_type: str


def _record(session: Session, services, book: AccountBook, fields: Mapping[str, str]) -> None:
    """Record a follow or card push once, however many times WeChat delivers it."""
    is_card = fields.get("MsgType") == "event" and fields.get("Event", "").lower() in CARD_EVENTS
    if not (push.is_follow_event(fields) or is_card):
        return
    if not push.first_delivery(services.redis, book.app_id, fields):
        return
    try:
        if is_card:
            account = session.get(OfficialAccount, book.account_id)
            handle_card_event(session, services.redis, account, fields, services.clock)
        else:
            now = services.clock.now()
            kind = push.FOLLOW_EVENTS[fields.get("Event", "").lower()]
            targets, channel = book.follow_targets(push.scene_of(fields), kind, now)
            push.record_follow(services.redis, book.app_id, fields, targets, channel, now)
    except Exception:
        push.release(services.redis, book.app_id, fields)
        raise


def remembered(redis, app_id: str, fields: Mapping[str, str], xml: str) -> str:
    """The reply kept for this push: ``xml`` on the first delivery, the first delivery's on a retry."""
    key = WeChatKeys(app_id).reply(push.dedupe_id(fields))
    return redis.eval(_REMEMBER, 1, key, xml, push.DEDUPE_SECONDS) or ""


def seal(creds: Credentials, xml: str, now: datetime) -> str:
    """``xml`` encrypted and signed for WeChat (``Encrypt``, ``MsgSignature``, ``TimeStamp``, ``Nonce``)."""
    crypto = WeChatCrypto(creds.token, creds.aes_key, creds.app_id)
    return crypto.encrypt_message(xml, secrets.token_hex(8), str(int(now.timestamp())))


def receive(session: Session, services, book: AccountBook, args: Mapping[str, str], body: bytes) -> Reply:
    """Open, record and answer one push; :class:`push.BadSignature` / :class:`push.MalformedPush` refuse it."""
    now = services.clock.now()
    fields = push.open_push(book.creds, args, body, now)
    _record(session, services, book, fields)
    public_url = services.settings.get("PUBLIC_URL", "").rstrip("/")
    xml = remembered(services.redis, book.app_id, fields, render(choose(book, fields, now, public_url), fields, now))
    if not xml:
        return Reply("success", "text/plain")
    return Reply(seal(book.creds, xml, now) if book.creds.aes_key else xml, "application/xml")
