"""WeChat's API endpoints: always HTTP 200 with JSON, errors as ``{"errcode", "errmsg"}``."""
from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request

bp = Blueprint("sim_api", __name__)


def state():
    return current_app.config["SIM_STATE"]


def wx_error(errcode: int, errmsg: str):
    """WeChat's error shape: still HTTP 200."""
    return jsonify(errcode=errcode, errmsg=errmsg)


@bp.get("/")
def index():
    return jsonify(simulator="wechat", accounts=sorted(state().accounts))


@bp.get("/cgi-bin/token")
def token():
    if request.args.get("grant_type") != "client_credential":
        return wx_error(40002, "invalid grant_type")
    app_id, secret = request.args.get("appid", ""), request.args.get("secret", "")
    if state().accounts.get(app_id) is None:
        return wx_error(40013, "invalid appid")
    if state().accounts[app_id] != secret:
        return wx_error(40125, "invalid appsecret")
    issued = state().issue_token(app_id)
    return jsonify(access_token=issued.value, expires_in=7200)
