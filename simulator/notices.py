"""``message/template/send`` (service notices) with WeChat's errcodes, and the list of what was sent."""

from __future__ import annotations

from flask import Blueprint, jsonify

from .api import _body, _caller, state, wx_error, wx_ok

bp = Blueprint("sim_notices", __name__)


@bp.post("/cgi-bin/message/template/send")
def send():
    """Send a template message: only to a follower who follows and has not refused service notices."""
    app_id, refused = _caller()
    if refused:
        return refused
    body = _body()
    user = state().by_openid(app_id, str(body.get("touser", "")))
    if user is None:
        return wx_error(40003, "invalid openid")
    if not str(body.get("template_id") or "").strip():
        return wx_error(40037, "invalid template_id")
    if not isinstance(body.get("data"), dict):
        return wx_error(47001, "data format error")
    if not user.subscribed:
        return wx_error(43004, "require subscribe")
    if user.refuses_notices:
        return wx_error(43101, "user refuse to accept the msg")
    with state().lock:
        msgid = len(state().templates) + 200_000_000
        state().templates.append({"app_id": app_id, "user": user.name, "msgid": msgid, **body})
    return wx_ok(errcode=0, errmsg="ok", msgid=msgid)


@bp.get("/sim/templates")
def sent():
    """Every template message the simulator accepted, oldest first."""
    with state().lock:
        return jsonify(templates=list(state().templates))
