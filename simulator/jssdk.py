"""A stand-in for WeChat's JS-SDK (``jweixin``) for ordinary browsers in the demo and tests.

``wx.config`` is checked like WeChat checks it: the signature must match the account's
current jsapi_ticket for the page's URL; then ``wx.ready`` callbacks run, else ``wx.error``.
Share-menu calls succeed and are recorded. Card calls come from the card module's script.
``wx.openAddress`` answers with the simulated follower's address (``SIM_ADDRESS``, as WeChat's
fields), so a shipped prize's claim works in an ordinary browser as inside WeChat.
"""

from __future__ import annotations

import hashlib
import json

from flask import Blueprint, Response, jsonify, request

from .api import state

bp = Blueprint("sim_jssdk", __name__)


def _cors(response: Response) -> Response:
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Access-Control-Allow-Headers"] = "Content-Type"
    return response


@bp.route("/sim/jssdk/config", methods=["POST", "OPTIONS"])
def check_config():
    """``{"appId", "timestamp", "nonceStr", "signature", "url"}`` -> ``{"errMsg": "config:ok"}`` or a refusal."""
    if request.method == "OPTIONS":
        return _cors(Response(status=204))
    body = request.get_json(force=True, silent=True) or {}
    app_id = str(body.get("appId", ""))
    ticket = state().ticket(app_id, "jsapi").value if state().account(app_id) else ""
    plain = (
        f"jsapi_ticket={ticket}&noncestr={body.get('nonceStr', '')}&timestamp={body.get('timestamp', '')}"
        f"&url={str(body.get('url', '')).split('#', 1)[0]}"
    )
    ok = bool(ticket) and hashlib.sha1(plain.encode()).hexdigest() == body.get("signature")
    return _cors(jsonify(errMsg="config:ok" if ok else "config:invalid signature"))


@bp.get("/sim/jweixin.js")
def script():
    """The stand-in script; include it where WeChat's jweixin script would be."""
    base = request.host_url.rstrip("/")
    return Response(JWEIXIN_JS.replace("__SIM__", json.dumps(base)), mimetype="application/javascript")


# What the stand-in's wx.openAddress hands the page, in WeChat's field names.
SIM_ADDRESS = {
    "errMsg": "openAddress:ok",
    "userName": "张三",
    "postalCode": "510000",
    "provinceName": "广东省",
    "cityName": "广州市",
    "countyName": "天河区",
    "detailInfo": "天河路 385 号 1201 室",
    "nationalCode": "440106",
    "telNumber": "13800138000",
}


@bp.route("/sim/jssdk/address", methods=["GET", "OPTIONS"])
def address():
    """The address the stand-in's ``wx.openAddress`` returns."""
    if request.method == "OPTIONS":
        return _cors(Response(status=204))
    return _cors(jsonify(SIM_ADDRESS))


JWEIXIN_JS = """(function () {
  var wx = window.wx = window.wx || {};
  var readyQueue = [], errorQueue = [], state = null;
  wx.shared = [];
  wx.config = function (cfg) {
    fetch(__SIM__ + "/sim/jssdk/config", {method: "POST", headers: {"Content-Type": "application/json"},
      body: JSON.stringify({appId: cfg.appId, timestamp: cfg.timestamp, nonceStr: cfg.nonceStr,
                            signature: cfg.signature, url: location.href})})
      .then(function (r) { return r.json(); })
      .then(function (res) {
        state = res;
        var queue = res.errMsg === "config:ok" ? readyQueue : errorQueue;
        queue.splice(0).forEach(function (fn) { fn(res); });
      });
  };
  wx.ready = function (fn) { if (state && state.errMsg === "config:ok") fn(); else readyQueue.push(fn); };
  wx.error = function (fn) { if (state && state.errMsg !== "config:ok") fn(state); else errorQueue.push(fn); };
  ["updateAppMessageShareData", "updateTimelineShareData", "hideMenuItems"].forEach(function (name) {
    wx[name] = function (opts) {
      wx.shared.push({api: name, opts: opts || {}});
      var res = {errMsg: name + ":ok"};
      if (opts && opts.success) opts.success(res);
      if (opts && opts.complete) opts.complete(res);
    };
  });
  wx.openAddress = function (opts) {
    fetch(__SIM__ + "/sim/jssdk/address").then(function (r) { return r.json(); }).then(function (res) {
      if (opts && opts.success) opts.success(res);
      if (opts && opts.complete) opts.complete(res);
    }, function (e) { if (opts && opts.fail) opts.fail({errMsg: "openAddress:fail " + e}); });
  };
})();
"""
