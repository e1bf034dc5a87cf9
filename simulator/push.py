"""Pushes from the simulator to the app's callback: signed, and encrypted in compatible/safe mode.

Like WeChat, a delivery waits at most 5 seconds for the answer and is signed with the
simulator's current time (the app refuses one more than five minutes off). An account with an
EncodingAESKey pushes in its mode (safe by default); one without can only push plaintext.
Each delivery is recorded in :attr:`SimState.pushes` (status, answer, mode) for tests and
the simulator's page.
"""

from __future__ import annotations

import re
import secrets
import time
from xml.sax.saxutils import escape

import requests
from defusedxml.ElementTree import fromstring
from flask import current_app
from wechatpy.crypto import WeChatCrypto
from wechatpy.utils import WeChatSigner

from .state import SimAccount, SimState

WECHAT_TIMEOUT_SECONDS = 5
REPLY_TYPES = ("text", "news", "image", "voice", "video", "music", "transfer_customer_service")


def _signature(*parts: str) -> str:
    signer = WeChatSigner()
    signer.add_data(*parts)
    return signer.signature


def render(fields: dict[str, str]) -> str:
    """A push's XML, numbers bare and text in CDATA, as WeChat writes it."""
    parts = []
    for name, value in fields.items():
        value = str(value)
        parts.append(
            f"<{name}>{value}</{name}>"
            if value.isdigit()
            else f"<{name}><![CDATA[{value.replace(']]>', '')}]]></{name}>"
        )
    return "<xml>" + "".join(parts) + "</xml>"


def mode_of(account: SimAccount) -> str:
    """How the account's pushes travel: its mode, but plaintext when it has no EncodingAESKey to encrypt with."""
    return account.mode if account.aes_key else "plaintext"


def envelope(account: SimAccount, xml: str, timestamp: str, nonce: str) -> tuple[dict[str, str], str]:
    """The query string and body of one delivery in the account's mode."""
    args = {"signature": _signature(account.token, timestamp, nonce), "timestamp": timestamp, "nonce": nonce}
    mode = mode_of(account)
    if mode == "plaintext":
        return args, xml
    sealed = WeChatCrypto(account.token, account.aes_key, account.app_id).encrypt_message(xml, nonce, timestamp)
    encrypt = re.search(r"<Encrypt><!\[CDATA\[(.*?)\]\]></Encrypt>", sealed).group(1)
    args.update(encrypt_type="aes", msg_signature=_signature(account.token, timestamp, nonce, encrypt))
    if mode == "compatible":
        return args, xml.replace("</xml>", f"<Encrypt><![CDATA[{encrypt}]]></Encrypt></xml>")
    return (
        args,
        f"<xml><ToUserName><![CDATA[{escape(account.app_id)}]]></ToUserName><Encrypt><![CDATA[{encrypt}]]></Encrypt></xml>",
    )


def deliver(state: SimState, app_url: str, app_id: str, fields: dict[str, str], repeat: int = 1) -> dict:
    """Send a push (``repeat`` times, as WeChat's retries would) unless told to drop it."""
    account = state.account(app_id)
    record = {
        "app_id": app_id,
        "event": fields.get("Event", fields.get("MsgType", "")),
        "openid": fields.get("FromUserName", ""),
        "mode": mode_of(account) if account else "",
        "answers": [],
    }
    with state.lock:
        dropped = state.misbehave.drop_pushes > 0
        if dropped:
            state.misbehave.drop_pushes -= 1
    if account is None or not account.slug or not account.token:
        record["status"] = "no callback configured for this account"
    elif dropped:
        record["status"] = "dropped"
    else:
        timestamp, nonce = str(int(state.clock())), secrets.token_hex(8)
        args, body = envelope(account, render(fields), timestamp, nonce)
        url = f"{app_url.rstrip('/')}/wechat/{account.slug}/callback"
        for _ in range(max(1, min(repeat, 4))):
            record["answers"].append(_send(url, args, body, account))
        record["status"] = "delivered" if all(_understood(a) for a in record["answers"]) else "failed"
        record["reply"] = record["answers"][0].get("reply")
    with state.lock:
        state.pushes.append(record)
    if record.get("reply"):
        state.add_chat(app_id, record["openid"], {"from": "account", **record["reply"]})
    return record


def _understood(answer: dict) -> bool:
    """WeChat takes ``success``, an empty body, or a reply it can read; anything else shows the follower an error."""
    return answer.get("status") == 200 and (answer.get("body") in ("success", "") or bool(answer.get("reply")))


def _send(url: str, args: dict[str, str], body: str, account: SimAccount) -> dict:
    started = time.monotonic()
    try:
        answer = requests.post(
            url,
            params=args,
            data=body.encode("utf-8"),
            timeout=WECHAT_TIMEOUT_SECONDS,
            headers={"Content-Type": "text/xml"},
        )
    except requests.RequestException as exc:
        return {"status": None, "body": type(exc).__name__, "ms": round((time.monotonic() - started) * 1000)}
    return {
        "status": answer.status_code,
        "body": answer.text[:200],
        "ms": round((time.monotonic() - started) * 1000),
        "reply": read_reply(account, answer.text) if answer.status_code == 200 else None,
    }


def _fields(root) -> dict:
    fields = {child.tag: (child.text or "").strip() for child in root if child.tag != "Articles"}
    articles = root.find("Articles")
    if articles is not None:
        fields["Articles"] = [{child.tag: (child.text or "").strip() for child in item} for item in articles]
    return fields


def read_reply(account: SimAccount, body: str) -> dict | None:
    """A passive reply as WeChat reads it: decrypted (its MsgSignature checked) when sealed; None if unreadable."""
    if body in ("success", ""):
        return None
    try:
        root = fromstring(body, forbid_dtd=True)
        if root.find("Encrypt") is not None:
            signature, timestamp, nonce = (root.findtext(name, "") for name in ("MsgSignature", "TimeStamp", "Nonce"))
            crypto = WeChatCrypto(account.token, account.aes_key, account.app_id)
            sealed = {"Encrypt": root.findtext("Encrypt")}
            root = fromstring(crypto.decrypt_message(sealed, signature, timestamp, nonce))
    except Exception:  # noqa: BLE001 - WeChat shows "该公众号暂时无法提供服务" for any reply it cannot read
        return None
    fields = _fields(root)
    if fields.get("MsgType") not in REPLY_TYPES:
        return None
    if fields["MsgType"] == "news":
        return {"type": "news", "articles": fields.get("Articles", [])}
    return {"type": fields["MsgType"], "content": fields.get("Content", "")}


def follow_event(state: SimState, app_id: str, user: str, event: str, scene: str = "") -> dict[str, str]:
    """Apply a subscribe / SCAN / unsubscribe to the state and return its push fields."""
    if event == "subscribe":
        sim_user = state.set_following(app_id, user, True, scene)
    elif event == "unsubscribe":
        sim_user = state.set_following(app_id, user, False)
    else:
        sim_user = state.user(app_id, user)
    key = {"subscribe": f"qrscene_{scene}" if scene else "", "SCAN": scene}.get(event, "")
    fields = {
        "ToUserName": app_id,
        "FromUserName": sim_user.openid,
        "CreateTime": str(int(state.clock())),
        "MsgType": "event",
        "Event": event,
    }
    if event != "unsubscribe":
        fields["EventKey"] = key
    return fields


def message_event(state: SimState, app_id: str, user: str, content: str) -> dict[str, str]:
    """A text message from ``user`` to the account (it joins the chat), as its push fields."""
    sim_user = state.user(app_id, user)
    state.add_chat(app_id, sim_user.openid, {"from": "user", "type": "text", "content": content})
    return {
        "ToUserName": app_id,
        "FromUserName": sim_user.openid,
        "CreateTime": str(int(state.clock())),
        "MsgType": "text",
        "Content": content,
        "MsgId": str(state.next_msg_id()),
    }


def menu_event(state: SimState, app_id: str, user: str, kind: str, value: str) -> dict[str, str]:
    """A tap on a menu button: a CLICK event with its key, or a VIEW event with its URL."""
    sim_user = state.user(app_id, user)
    return {
        "ToUserName": app_id,
        "FromUserName": sim_user.openid,
        "CreateTime": str(int(state.clock())),
        "MsgType": "event",
        "Event": "CLICK" if kind == "click" else "VIEW",
        "EventKey": value,
    }


def push_hook(app_id: str, fields: dict[str, str]) -> dict:
    """``SIM_PUSH``: deliver a push built elsewhere in the simulator (the card wallet's pushes)."""
    return deliver(current_app.config["SIM_STATE"], current_app.config["APP_URL"], app_id, fields)
