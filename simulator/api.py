"""WeChat's API endpoints: always HTTP 200 with JSON, errors as ``{"errcode", "errmsg"}``."""

from __future__ import annotations

import secrets
import time
from datetime import date, datetime, timedelta, timezone

from flask import Blueprint, Response, current_app, jsonify, request

from .png import qr_png

bp = Blueprint("sim_api", __name__)
API_PREFIXES = ("/cgi-bin/", "/sns/", "/datacube/", "/card/")
BEIJING = timezone(timedelta(hours=8))


def state():
    """The simulator state of the running app."""
    return current_app.config["SIM_STATE"]


def wx_error(errcode: int, errmsg: str):
    """WeChat's error shape: still HTTP 200."""
    return jsonify(errcode=errcode, errmsg=errmsg)


def wx_ok(**fields):
    """A successful answer with WeChat's field names."""
    return jsonify(fields)


def _body() -> dict:
    return request.get_json(force=True, silent=True) or {}


@bp.before_app_request
def misbehave():
    """Apply the misbehaviour switches to API calls: slowness, then rate limiting."""
    if not request.path.startswith(API_PREFIXES) or request.path == "/cgi-bin/showqrcode":
        return None
    switches = state().misbehave
    with state().lock:
        state().api_calls += 1
        if switches.expire_at_call and state().api_calls >= switches.expire_at_call:
            switches.expire_at_call = 0
            for app_id in list(state().tokens):
                state().expire_token(app_id)
        limited = switches.rate_limit > 0
        if limited:
            switches.rate_limit -= 1
    if switches.slow_ms:
        time.sleep(switches.slow_ms / 1000)
    if limited:
        return wx_error(
            switches.rate_errcode,
            "api freq out of limit" if switches.rate_errcode == 45009 else "api minute-quota reach limit",
        )
    return None


def _caller():
    """``(app_id, None)`` for a valid ``access_token``, else ``(None, error response)``."""
    app_id, errcode = state().check_token(request.args.get("access_token", ""))
    if app_id is None:
        message = (
            "access_token expired" if errcode == 42001 else "invalid credential, access_token is invalid or not latest"
        )
        return None, wx_error(errcode, message)
    return app_id, None


@bp.get("/cgi-bin/token")
def token():
    """``cgi-bin/token``: a new access token for the app id and secret."""
    if request.args.get("grant_type") != "client_credential":
        return wx_error(40002, "invalid grant_type")
    app_id, secret = request.args.get("appid", ""), request.args.get("secret", "")
    account = state().account(app_id)
    if account is None:
        return wx_error(40013, "invalid appid")
    with state().lock:
        if account.secret is None:
            account.secret = secret
    if account.secret != secret:
        return wx_error(40125, "invalid appsecret")
    issued = state().issue_token(app_id)
    return wx_ok(access_token=issued.value, expires_in=7200)


def _user_info(app_id: str, openid: str) -> dict | None:
    user = state().by_openid(app_id, openid)
    if user is None:
        return None
    if not user.subscribed:
        return {"subscribe": 0, "openid": openid, "unionid": user.unionid}
    return {
        "subscribe": 1,
        "openid": openid,
        "nickname": user.nickname,
        "sex": 0,
        "language": "zh_CN",
        "city": "",
        "province": "",
        "country": "",
        "headimgurl": user.avatar,
        "subscribe_time": user.subscribe_time,
        "unionid": user.unionid,
        "remark": "",
        "groupid": 0,
        "tagid_list": [],
        "subscribe_scene": "ADD_SCENE_QR_CODE" if user.scene else "ADD_SCENE_SEARCH",
        "qr_scene": 0,
        "qr_scene_str": user.scene,
    }


@bp.get("/cgi-bin/user/info")
def user_info():
    """``cgi-bin/user/info``: one user's subscribe status and profile."""
    app_id, refused = _caller()
    if refused:
        return refused
    info = _user_info(app_id, request.args.get("openid", ""))
    return wx_ok(**info) if info else wx_error(40003, "invalid openid")


@bp.post("/cgi-bin/user/info/batchget")
def user_info_batch():
    """``cgi-bin/user/info/batchget``: up to 100 users at once."""
    app_id, refused = _caller()
    if refused:
        return refused
    wanted = [item.get("openid", "") for item in _body().get("user_list") or []]
    if not wanted or len(wanted) > 100:
        return wx_error(40032, "invalid openid list size")
    infos = [_user_info(app_id, openid) for openid in wanted]
    if any(info is None for info in infos):
        return wx_error(40003, "invalid openid")
    return wx_ok(user_info_list=infos)


@bp.post("/cgi-bin/qrcode/create")
def qrcode_create():
    """``cgi-bin/qrcode/create``: a temporary or permanent scene QR code."""
    app_id, refused = _caller()
    if refused:
        return refused
    body = _body()
    action = body.get("action_name", "")
    scene = (body.get("action_info") or {}).get("scene") or {}
    value = scene.get("scene_str") if action in ("QR_STR_SCENE", "QR_LIMIT_STR_SCENE") else scene.get("scene_id")
    if action not in ("QR_SCENE", "QR_STR_SCENE", "QR_LIMIT_SCENE", "QR_LIMIT_STR_SCENE") or value in (None, ""):
        return wx_error(40053, "invalid action info")
    ticket = "gQ" + secrets.token_urlsafe(40)
    permanent = action.startswith("QR_LIMIT")
    expire = None if permanent else min(int(body.get("expire_seconds") or 60), 2592000)
    url = f"http://weixin.qq.com/q/{secrets.token_urlsafe(16)}"
    with state().lock:
        state().qrcodes[ticket] = {"app_id": app_id, "scene": str(value), "url": url, "expire_seconds": expire}
    return wx_ok(ticket=ticket, url=url, **({} if permanent else {"expire_seconds": expire}))


@bp.get("/cgi-bin/showqrcode")
def showqrcode():
    """The QR image of a ticket: a real PNG (WeChat answers 404 for an unknown ticket)."""
    with state().lock:
        record = state().qrcodes.get(request.args.get("ticket", ""))
    if record is None:
        return Response("unknown ticket", status=404, mimetype="text/plain")
    return Response(qr_png(record["url"]), mimetype="image/png", headers={"Cache-Control": "max-age=86400"})


@bp.get("/cgi-bin/ticket/getticket")
def getticket():
    """The jsapi ticket (``type=wx_card`` is answered by the card module)."""
    app_id, refused = _caller()
    if refused:
        return refused
    if request.args.get("type") != "jsapi":
        return wx_error(40097, "invalid args")
    ticket = state().ticket(app_id, "jsapi")
    return wx_ok(errcode=0, errmsg="ok", ticket=ticket.value, expires_in=7200)


def _date_range():
    body = _body()
    try:
        begin = date.fromisoformat(body.get("begin_date", ""))
        end = date.fromisoformat(body.get("end_date", ""))
    except (TypeError, ValueError):
        return None
    if end < begin or (end - begin).days > 6:
        return None
    return [begin + timedelta(days=n) for n in range((end - begin).days + 1)]


def _day(at: int) -> date:
    return datetime.fromtimestamp(at, BEIJING).date()


@bp.post("/datacube/getusersummary")
def getusersummary():
    """``datacube/getusersummary``: follows and unfollows per day (at most 7 days)."""
    app_id, refused = _caller()
    if refused:
        return refused
    days = _date_range()
    if days is None:
        return wx_error(61501, "date range error")
    log = [entry for entry in state().follow_log if entry["app_id"] == app_id]
    rows = [
        {
            "ref_date": day.isoformat(),
            "user_source": 0,
            "new_user": sum(1 for e in log if e["follow"] and _day(e["at"]) == day),
            "cancel_user": sum(1 for e in log if not e["follow"] and _day(e["at"]) == day),
        }
        for day in days
    ]
    return wx_ok(list=rows)


@bp.post("/datacube/getusercumulate")
def getusercumulate():
    """``datacube/getusercumulate``: the follower count at the end of each day."""
    app_id, refused = _caller()
    if refused:
        return refused
    days = _date_range()
    if days is None:
        return wx_error(61501, "date range error")
    log = [entry for entry in state().follow_log if entry["app_id"] == app_id]
    rows = [
        {
            "ref_date": day.isoformat(),
            "cumulate_user": sum(1 if e["follow"] else -1 for e in log if _day(e["at"]) <= day),
        }
        for day in days
    ]
    return wx_ok(list=rows)
