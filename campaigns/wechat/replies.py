"""The account's replies document: the welcome message, the default reply, keywords and menu clicks.

A reply is ``{"type": "text", "content": "..."}`` or ``{"type": "campaigns", "campaigns": [slug, ...]}``
(the campaigns' cards: a news message for a live one, a text for a scheduled or ended one; an empty
list means the account's live campaigns). The document::

    {"welcome": reply | null, "default": reply | null,
     "keywords": [{"keyword": "抽奖", "match": "exact" | "contains", "reply": reply}, ...],
     "clicks": [{"key": "PLAY", "reply": reply}, ...]}

A keyword whose reply names campaigns is that campaign's keyword (the demo gives 抽奖 to each).
Limits are WeChat's: a text reply of at most 2048 bytes, a menu key of at most 128 bytes.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..catalog.document import Problems
from ..catalog.messages import msg
from ..catalog.models import Campaign, OfficialAccount
from ..errors import InvalidInput
from ..staff import audit
from ..staff.models import Staff
from .models import AccountReplies

TEXT_BYTES = 2048
KEYWORD_CHARS = 30
KEY_BYTES = 128
MAX_KEYWORDS = 200
MAX_CLICKS = 15  # one per sub-button of a full menu
MATCHES = ("exact", "contains")
REPLY_TYPES = ("text", "campaigns")
EMPTY: dict[str, Any] = {"welcome": None, "default": None, "keywords": [], "clicks": []}

_REPLY = {
    "oneOf": [
        {
            "type": "object",
            "required": ["type", "content"],
            # At most 4 bytes a character: 512 characters always fit WeChat's 2048 bytes.
            "properties": {"type": {"const": "text"}, "content": {"type": "string", "minLength": 1, "maxLength": 512}},
        },
        {
            "type": "object",
            "required": ["type"],
            "properties": {"type": {"const": "campaigns"}, "campaigns": {"type": "array", "items": {"type": "string"}}},
        },
    ]
}
# The document as JSON Schema (the API's OpenAPI document shows it; :func:`check` enforces it and the byte limits).
SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "welcome": {"oneOf": [{"type": "null"}, _REPLY]},
        "default": {"oneOf": [{"type": "null"}, _REPLY]},
        "keywords": {
            "type": "array",
            "maxItems": MAX_KEYWORDS,
            "items": {
                "type": "object",
                "required": ["keyword", "reply"],
                "properties": {
                    "keyword": {"type": "string", "minLength": 1, "maxLength": KEYWORD_CHARS},
                    "match": {"enum": list(MATCHES)},
                    "reply": _REPLY,
                },
            },
        },
        "clicks": {
            "type": "array",
            "maxItems": MAX_CLICKS,
            "items": {
                "type": "object",
                "required": ["key", "reply"],
                "properties": {"key": {"type": "string", "minLength": 1, "maxLength": KEY_BYTES // 4}, "reply": _REPLY},
            },
        },
    },
}


def _reply(raw: Any, path: str, problems: Problems, slugs: set[str]) -> dict[str, Any] | None:
    """A checked reply, or None with the problem recorded."""
    if not isinstance(raw, dict) or raw.get("type") not in REPLY_TYPES:
        problems.add(f"{path}.type", msg("A reply is a text or the campaigns' cards."))
        return None
    if raw["type"] == "text":
        content = raw.get("content")
        if not isinstance(content, str) or not content.strip():
            problems.add(f"{path}.content", msg("Write the reply's text."))
            return None
        if len(content.strip().encode("utf-8")) > TEXT_BYTES:
            problems.add(f"{path}.content", msg("WeChat allows at most {limit} bytes of text.", limit=TEXT_BYTES))
            return None
        return {"type": "text", "content": content.strip()}
    named = raw.get("campaigns") or []
    if not isinstance(named, list) or not all(isinstance(s, str) for s in named):
        problems.add(f"{path}.campaigns", msg("List the campaigns by their slug."))
        return None
    unknown = [s for s in named if s not in slugs]
    if unknown:
        problems.add(f"{path}.campaigns", msg("Not a campaign of this account: {slugs}.", slugs=", ".join(unknown)))
        return None
    return {"type": "campaigns", "campaigns": list(dict.fromkeys(named))}


def _keyword(raw: Any, path: str, problems: Problems, slugs: set[str]) -> dict[str, Any] | None:
    if not isinstance(raw, dict):
        problems.add(path, msg("A keyword is an object of keyword, match and reply."))
        return None
    word = raw.get("keyword")
    if not isinstance(word, str) or not word.strip() or len(word.strip()) > KEYWORD_CHARS:
        problems.add(f"{path}.keyword", msg("A keyword is 1 to {limit} characters.", limit=KEYWORD_CHARS))
        return None
    match = raw.get("match", "exact")
    if match not in MATCHES:
        problems.add(f"{path}.match", msg("Match exactly or by containing the keyword."))
        return None
    reply = _reply(raw.get("reply"), f"{path}.reply", problems, slugs)
    return {"keyword": word.strip(), "match": match, "reply": reply} if reply else None


def _click(raw: Any, path: str, problems: Problems, slugs: set[str]) -> dict[str, Any] | None:
    if not isinstance(raw, dict):
        problems.add(path, msg("A menu click is an object of key and reply."))
        return None
    key = raw.get("key")
    if not isinstance(key, str) or not key.strip() or len(key.strip().encode("utf-8")) > KEY_BYTES:
        problems.add(f"{path}.key", msg("A menu key is 1 to {limit} bytes.", limit=KEY_BYTES))
        return None
    reply = _reply(raw.get("reply"), f"{path}.reply", problems, slugs)
    return {"key": key.strip(), "reply": reply} if reply else None


def _items(raw: Any, name: str, limit: int, check, problems: Problems, slugs: set[str]) -> list[dict[str, Any]]:
    if raw is None:
        return []
    if not isinstance(raw, list) or len(raw) > limit:
        problems.add(name, msg("Give a list of at most {limit}.", limit=limit))
        return []
    return [item for i, entry in enumerate(raw) if (item := check(entry, f"{name}[{i}]", problems, slugs))]


def check(doc: Any, slugs: set[str]) -> dict[str, Any]:
    """The replies document, every problem listed in one :class:`InvalidInput` when it is not valid."""
    problems = Problems()
    if not isinstance(doc, dict):
        raise InvalidInput(msg("Send the replies as an object."), fields={"body": msg("Not an object.")})
    for extra in sorted(set(doc) - set(EMPTY)):
        problems.add(extra, msg("This field is not part of the replies."))
    clean = {
        name: _reply(doc[name], name, problems, slugs) if doc.get(name) is not None else None
        for name in ("welcome", "default")
    }
    clean["keywords"] = _items(doc.get("keywords"), "keywords", MAX_KEYWORDS, _keyword, problems, slugs)
    clean["clicks"] = _items(doc.get("clicks"), "clicks", MAX_CLICKS, _click, problems, slugs)
    keys = [c["key"] for c in clean["clicks"]]
    if len(keys) != len(set(keys)):
        problems.add("clicks", msg("Each menu key has one reply."))
    if problems:
        raise InvalidInput(msg("Please correct the highlighted fields."), fields=dict(problems))
    return clean


def campaign_slugs(session: Session, account: OfficialAccount) -> set[str]:
    """The slugs a reply of ``account`` may name: its campaigns that are not archived."""
    return set(
        session.scalars(select(Campaign.slug).where(Campaign.account_id == account.id, Campaign.archived.is_(False)))
    )


def document(session: Session, account: OfficialAccount) -> dict[str, Any]:
    """The account's replies document (the empty one until set)."""
    row = session.scalar(select(AccountReplies).where(AccountReplies.account_id == account.id))
    return {**EMPTY, **(row.document if row else {})}


def save(session: Session, staff: Staff | None, account: OfficialAccount, doc: Any, now: datetime) -> dict[str, Any]:
    """Check and store the account's replies, audit-logged, in the caller's transaction."""
    clean = check(doc, campaign_slugs(session, account))
    row = session.scalar(select(AccountReplies).where(AccountReplies.account_id == account.id))
    before = row.document if row else None
    if row is None:
        row = AccountReplies(account_id=account.id)
        session.add(row)
    row.document = clean
    audit.record(session, staff, "replies.update", now, account_id=account.id, before=before, after=clean)
    return clean
