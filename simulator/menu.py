"""The custom menu (``menu/create``, ``menu/get``, ``menu/delete``) with WeChat's errcodes, and the
follower's phone: the chat with the account, its menu to tap, a text box and a QR scanner.

Tapping a ``click`` button sends a CLICK push with its key; tapping a ``view`` button sends a VIEW
push and opens its URL, as WeChat does.
"""

from __future__ import annotations

import re
from urllib.parse import urlencode

from flask import Blueprint, current_app, jsonify, redirect, render_template, request
from markupsafe import Markup, escape

from .api import _body, _caller, state, wx_error, wx_ok
from .push import deliver, follow_event, menu_event, message_event

bp = Blueprint("sim_menu", __name__)

TOP_NAME_BYTES = 16
SUB_NAME_BYTES = 60
KEY_BYTES = 128
URL_BYTES = 1024
TYPES = ("click", "view")


def _size(text) -> int:
    return len(str(text or "").encode("utf-8"))


def _button_error(button: dict, sub: bool) -> tuple[int, str] | None:
    """WeChat's errcode for one leaf button, or None when it is valid."""
    name_limit, codes = (
        (SUB_NAME_BYTES, (40025, 40024, 40026, 40027)) if sub else (TOP_NAME_BYTES, (40018, 40017, 40019, 40020))
    )
    if not 0 < _size(button.get("name")) <= name_limit:
        return codes[0], "invalid button name size"
    if button.get("type") not in TYPES:
        return codes[1], "invalid button type"
    if button["type"] == "click" and not 0 < _size(button.get("key")) <= KEY_BYTES:
        return codes[2], "invalid button key size"
    url = str(button.get("url") or "")
    if button["type"] == "view" and not 0 < _size(url) <= URL_BYTES:
        return codes[3], "invalid button url size"
    if button["type"] == "view" and not url.startswith(("http://", "https://")):
        return (40054 if sub else 40055), "invalid button url domain"
    return None


def menu_error(menu) -> tuple[int, str] | None:
    """WeChat's first errcode for a ``menu/create`` body, or None when it would be accepted."""
    buttons = menu.get("button") if isinstance(menu, dict) else None
    if not isinstance(buttons, list) or not 0 < len(buttons) <= 3:
        return 40016, "invalid button size"
    for button in buttons:
        if not isinstance(button, dict):
            return 40017, "invalid button type"
        subs = button.get("sub_button")
        if subs:
            if not isinstance(subs, list) or len(subs) > 5:
                return 40023, "invalid sub button size"
            if not 0 < _size(button.get("name")) <= TOP_NAME_BYTES:
                return 40018, "invalid button name size"
            for sub in subs:
                found = _button_error(sub, True) if isinstance(sub, dict) else (40024, "invalid sub button type")
                if found:
                    return found
        elif found := _button_error(button, False):
            return found
    return None


@bp.post("/cgi-bin/menu/create")
def create():
    """``cgi-bin/menu/create``: replace the account's menu."""
    app_id, refused = _caller()
    if refused:
        return refused
    menu = _body()
    error = menu_error(menu)
    if error:
        return wx_error(*error)
    with state().lock:
        state().menus[app_id] = {"button": menu["button"]}
    return wx_ok(errcode=0, errmsg="ok")


@bp.get("/cgi-bin/menu/get")
def get():
    """``cgi-bin/menu/get``: the account's menu, or 46003 when it has none."""
    app_id, refused = _caller()
    if refused:
        return refused
    with state().lock:
        menu = state().menus.get(app_id)
    return wx_ok(menu=menu) if menu else wx_error(46003, "menu no exist")


@bp.get("/cgi-bin/menu/delete")
def delete():
    """``cgi-bin/menu/delete``: remove the account's menu."""
    app_id, refused = _caller()
    if refused:
        return refused
    with state().lock:
        state().menus.pop(app_id, None)
    return wx_ok(errcode=0, errmsg="ok")


def _safe_links(text: str) -> str:
    """A reply's text with only its ``<a href>`` links kept as HTML, as WeChat shows text replies."""
    parts, last = [], 0
    for found in re.finditer(r'<a href="([^"<>]+)">([^<]*)</a>', text):
        parts.append(escape(text[last : found.start()]))
        parts.append(
            Markup('<a href="{}">{}</a>').format(Markup(found.group(1)).unescape(), Markup(found.group(2)).unescape())
        )
        last = found.end()
    parts.append(escape(text[last:]))
    return Markup("").join(parts)


@bp.app_template_filter("safe_links")
def safe_links(text: str) -> Markup:
    """The ``safe_links`` filter of the phone page."""
    return _safe_links(text)


@bp.get("/sim/phone")
def phone():
    """A follower's phone: the chat with the account (``?app_id=&user=``), its menu, a scanner."""
    sim = state()
    app_id = request.args.get("app_id") or next(iter(sim.accounts))
    user = (request.args.get("user") or "amy").strip()[:32]
    account, sim_user = sim.account(app_id), sim.user(app_id, user)
    with sim.lock:
        chat = list(sim.chats.get(app_id, {}).get(sim_user.openid, []))
        menu = sim.menus.get(app_id)
        scenes = sorted({q["scene"] for q in sim.qrcodes.values() if q["app_id"] == app_id})
    return render_template(
        "sim_phone.html",
        account=account,
        app_id=app_id,
        user=user,
        following=sim_user.subscribed,
        chat=chat,
        menu=menu,
        scenes=scenes,
    )


def _back(app_id: str, user: str):
    return redirect("/sim/phone?" + urlencode({"app_id": app_id, "user": user}))


def _who():
    form = request.form
    app_id, user = form.get("app_id", ""), form.get("user", "").strip()[:32]
    if not user or state().account(app_id) is None:
        return None, None
    return app_id, user


@bp.post("/sim/phone/scan")
def scan():
    """Scan a QR code: a subscribe push with its scene, or SCAN when the follower already follows."""
    app_id, user = _who()
    if app_id is None:
        return wx_error(40097, "invalid args")
    event = "SCAN" if state().user(app_id, user).subscribed else "subscribe"
    fields = follow_event(state(), app_id, user, event, request.form.get("scene", "").strip()[:64])
    deliver(state(), current_app.config["APP_URL"], app_id, fields)
    return _back(app_id, user)


@bp.post("/sim/phone/send")
def send():
    """Send the account a text message."""
    app_id, user = _who()
    content = request.form.get("content", "").strip()[:600]
    if app_id is None or not content:
        return wx_error(40097, "invalid args")
    deliver(state(), current_app.config["APP_URL"], app_id, message_event(state(), app_id, user, content))
    return _back(app_id, user)


@bp.post("/sim/phone/tap")
def tap():
    """Tap a menu button: CLICK pushes its key; VIEW pushes its URL and opens it."""
    app_id, user = _who()
    kind, value = request.form.get("type", ""), request.form.get("value", "")
    if app_id is None or kind not in TYPES or not value:
        return wx_error(40097, "invalid args")
    deliver(state(), current_app.config["APP_URL"], app_id, menu_event(state(), app_id, user, kind, value))
    return redirect(value) if kind == "view" else _back(app_id, user)


@bp.post("/sim/message")
def message():
    """JSON: ``{app_id, user, content}`` sends a text message; the answer is the delivery record."""
    form = request.get_json(silent=True) or {}
    app_id, user, content = form.get("app_id", ""), str(form.get("user", "")).strip()[:32], form.get("content")
    if not user or not isinstance(content, str) or not content or state().account(app_id) is None:
        return wx_error(40097, "invalid args")
    fields = message_event(state(), app_id, user, content)
    if form.get("msg_id"):
        fields["MsgId"] = str(form["msg_id"])
    record = deliver(state(), current_app.config["APP_URL"], app_id, fields, repeat=int(form.get("repeat") or 1))
    return jsonify(errcode=0, errmsg="ok", **record)


@bp.post("/sim/tap")
def tap_json():
    """JSON: ``{app_id, user, type: click|view, value: key|url}`` taps a menu button."""
    form = request.get_json(silent=True) or {}
    app_id, user, kind = form.get("app_id", ""), str(form.get("user", "")).strip()[:32], form.get("type")
    if not user or kind not in TYPES or not form.get("value") or state().account(app_id) is None:
        return wx_error(40097, "invalid args")
    fields = menu_event(state(), app_id, user, kind, str(form["value"]))
    record = deliver(state(), current_app.config["APP_URL"], app_id, fields, repeat=int(form.get("repeat") or 1))
    return jsonify(errcode=0, errmsg="ok", **record)
