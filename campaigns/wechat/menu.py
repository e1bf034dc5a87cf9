"""The account's custom menu (自定义菜单): checked within WeChat's limits, saved, published and imported.

The menu is WeChat's ``menu/create`` JSON: 1 to 3 top-level buttons, each a button or a group of 1
to 5 sub-buttons; a button is ``click`` (a ``key`` of up to 128 bytes) or ``view`` (a ``url`` of up to
1024 bytes, ``https`` in production). Names are at most 16 bytes at the top and 60 below. Every
problem is listed at once and nothing reaches WeChat until the menu is valid. Each change is audited.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

import requests
from sqlalchemy import select
from sqlalchemy.orm import Session
from wechatpy.exceptions import WeChatClientException

from ..catalog.document import Problems
from ..catalog.messages import msg
from ..catalog.models import OfficialAccount
from ..errors import InvalidInput
from ..staff import audit
from ..staff.models import Staff
from .client import client_for, translate
from .models import AccountMenu

MAX_BUTTONS = 3
MAX_SUB_BUTTONS = 5
TOP_NAME_BYTES = 16
SUB_NAME_BYTES = 60
KEY_BYTES = 128
URL_BYTES = 1024
TYPES = ("click", "view")

_LEAF = {
    "type": "object",
    "required": ["type", "name"],
    "properties": {
        "type": {"enum": list(TYPES)},
        # Byte limits as characters of up to 4 bytes each (check() counts the bytes).
        "name": {"type": "string", "minLength": 1, "maxLength": TOP_NAME_BYTES // 4},
        "key": {"type": "string", "minLength": 1, "maxLength": KEY_BYTES // 4},
        "url": {"type": "string", "pattern": r"^https://[A-Za-z0-9.-]+\.[a-z]{2,}/[A-Za-z0-9/._-]*$", "maxLength": 256},
    },
}
# WeChat's menu JSON as JSON Schema (for the OpenAPI document; :func:`check` also counts bytes).
SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["button"],
    "properties": {
        "button": {
            "type": "array",
            "maxItems": MAX_BUTTONS,
            "items": {
                "oneOf": [
                    _LEAF,
                    {
                        "type": "object",
                        "required": ["name", "sub_button"],
                        "properties": {
                            "name": {"type": "string", "minLength": 1, "maxLength": TOP_NAME_BYTES // 4},
                            "sub_button": {"type": "array", "minItems": 1, "maxItems": MAX_SUB_BUTTONS, "items": _LEAF},
                        },
                    },
                ]
            },
        }
    },
}


def _bytes(value: Any) -> int:
    return len(value.encode("utf-8")) if isinstance(value, str) else 0


def _name(raw: dict, path: str, limit: int, problems: Problems) -> str:
    name = raw.get("name")
    if not isinstance(name, str) or not name.strip():
        problems.add(f"{path}.name", msg("Give the button a name."))
        return ""
    if _bytes(name.strip()) > limit:
        problems.add(f"{path}.name", msg("WeChat allows at most {limit} bytes here.", limit=limit))
    return name.strip()


def _url(url: Any, path: str, problems: Problems, https_only: bool) -> str:
    parts = urlsplit(url) if isinstance(url, str) else None
    if parts is None or parts.scheme not in ("http", "https") or not parts.netloc or _bytes(url) > URL_BYTES:
        problems.add(f"{path}.url", msg("Enter a web address of at most {limit} bytes.", limit=URL_BYTES))
    elif https_only and parts.scheme != "https":
        problems.add(f"{path}.url", msg("Menu links must use https."))
    return url.strip() if isinstance(url, str) else ""


def _leaf(raw: dict, path: str, limit: int, problems: Problems, https_only: bool) -> dict[str, str]:
    name = _name(raw, path, limit, problems)
    kind = raw.get("type")
    if kind not in TYPES:
        problems.add(f"{path}.type", msg("A button opens a link (view) or sends a key (click)."))
        return {"type": str(kind), "name": name}
    if kind == "view":
        return {"type": "view", "name": name, "url": _url(raw.get("url"), path, problems, https_only)}
    key = raw.get("key")
    if not isinstance(key, str) or not key.strip() or _bytes(key.strip()) > KEY_BYTES:
        problems.add(f"{path}.key", msg("A menu key is 1 to {limit} bytes.", limit=KEY_BYTES))
    return {"type": "click", "name": name, "key": key.strip() if isinstance(key, str) else ""}


def _button(raw: Any, path: str, problems: Problems, https_only: bool) -> dict[str, Any]:
    if not isinstance(raw, dict):
        problems.add(path, msg("A button is an object."))
        return {}
    subs = raw.get("sub_button")
    if not subs:
        return _leaf(raw, path, TOP_NAME_BYTES, problems, https_only)
    if not isinstance(subs, list) or len(subs) > MAX_SUB_BUTTONS:
        problems.add(f"{path}.sub_button", msg("A group holds 1 to {limit} buttons.", limit=MAX_SUB_BUTTONS))
        return {"name": _name(raw, path, TOP_NAME_BYTES, problems), "sub_button": []}
    checked = []
    for i, sub in enumerate(subs):
        if isinstance(sub, dict):
            checked.append(_leaf(sub, f"{path}.sub_button[{i}]", SUB_NAME_BYTES, problems, https_only))
        else:
            problems.add(f"{path}.sub_button[{i}]", msg("A button is an object."))
    return {"name": _name(raw, path, TOP_NAME_BYTES, problems), "sub_button": checked}


def check(menu: Any, *, https_only: bool) -> dict[str, Any]:
    """The menu as WeChat's JSON, or :class:`InvalidInput` listing every problem."""
    problems = Problems()
    buttons = menu.get("button") if isinstance(menu, dict) else None
    if not isinstance(buttons, list) or not 0 < len(buttons) <= MAX_BUTTONS:
        problems.add("button", msg("A menu has 1 to {limit} buttons.", limit=MAX_BUTTONS))
        buttons = buttons[:MAX_BUTTONS] if isinstance(buttons, list) else []
    clean = {"button": [_button(b, f"button[{i}]", problems, https_only) for i, b in enumerate(buttons)]}
    if problems:
        raise InvalidInput(msg("Please correct the highlighted fields."), fields=dict(problems))
    return clean


def from_wechat(answer: dict | None) -> dict[str, Any]:
    """The menu in ``menu/get``'s answer, its empty ``sub_button`` lists dropped; an empty menu for none."""
    buttons = ((answer or {}).get("menu") or {}).get("button") or []
    return {"button": [{k: v for k, v in b.items() if k != "sub_button" or v} for b in buttons]}


def https_only(settings) -> bool:
    """Whether menu links must use https: in production."""
    return settings.get("APP_ENV") == "production"


def _row(session: Session, account: OfficialAccount) -> AccountMenu | None:
    return session.scalar(select(AccountMenu).where(AccountMenu.account_id == account.id))


def document(session: Session, account: OfficialAccount) -> dict[str, Any]:
    """The account's saved menu (``{"button": []}`` until one is saved) and when it was last published."""
    row = _row(session, account)
    return {
        "menu": row.menu if row else {"button": []},
        "published_at": row.published_at.isoformat() if row and row.published_at else None,
    }


def save(
    session: Session, staff: Staff | None, account: OfficialAccount, menu: Any, now: datetime, *, https_only: bool
) -> dict[str, Any]:
    """Check and store the account's menu (not yet published), audited, in the caller's transaction."""
    return _store(session, staff, account, check(menu, https_only=https_only), "menu.update", now)


def _store(session: Session, staff: Staff | None, account: OfficialAccount, menu: dict, action: str, now: datetime):
    """Make ``menu`` the account's saved menu and audit it as ``action``."""
    row = _row(session, account)
    before = row.menu if row else None
    if row is None:
        row = AccountMenu(account_id=account.id)
        session.add(row)
    row.menu = menu
    audit.record(session, staff, action, now, account_id=account.id, before=before, after=menu)
    return menu


def publish(session: Session, services, staff: Staff | None, account: OfficialAccount, now: datetime) -> None:
    """Send the saved menu to WeChat (``menu/create``); audited. Nothing is sent for an invalid or empty menu."""
    row = _row(session, account)
    menu = check(row.menu if row else None, https_only=https_only(services.settings))
    try:
        client_for(services, account).menu.create(menu)
    except (WeChatClientException, requests.RequestException) as exc:
        raise translate(exc) from exc
    row.published_at = now
    audit.record(session, staff, "menu.publish", now, account_id=account.id, after=menu)


def import_current(session: Session, services, staff: Staff | None, account: OfficialAccount, now: datetime) -> dict:
    """Replace the saved menu by the one WeChat has (``menu/get``); audited."""
    try:
        answer = client_for(services, account).menu.get()
    except (WeChatClientException, requests.RequestException) as exc:
        raise translate(exc) from exc
    return _store(session, staff, account, from_wechat(answer), "menu.import", now)
