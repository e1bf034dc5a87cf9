"""WeChat's card endpoints, a card wallet per simulated follower, and the ``wx.addCard`` stand-in.

Only the endpoints the platform uses, with WeChat's field names and error codes:
40073 unknown card id, 40056 unknown code, 40099 consumed, 45031 no stock. ``wx.addCard`` checks the
``cardExt`` signature against the account's ``wx_card`` api_ticket before a card
goes into the wallet. Each wallet change is a push (``user_get_card``,
``user_consume_card``) handed to ``app.config["SIM_PUSH"]`` when the simulator
delivers pushes, and always recorded in :attr:`CardState.pushes` for inspection.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import threading
from dataclasses import dataclass, field
from typing import Any

from flask import Blueprint, Flask, Response, current_app, jsonify, request

bp = Blueprint("sim_cards", __name__)

MAX_DEPOSIT = 100
ERR_INVALID_CREDENTIAL = 40001
ERR_INVALID_CARD = 40073
ERR_INVALID_CODE = 40056
ERR_CONSUMED = 40099
ERR_NO_STOCK = 45031
ERR_SIGNATURE = 40097
ERR_TOO_MANY_CODES = 40109
ERR_INVALID_PARAMETER = 40097


@dataclass
class SimCard:
    app_id: str
    card_id: str
    base_info: dict[str, Any]
    quantity: int = 0
    deposited: list[str] = field(default_factory=list)
    # Codes in a wallet: code -> {"openid", "status"}; status NORMAL or CONSUMED.
    received: dict[str, dict[str, str]] = field(default_factory=dict)
    card_type: str = "GROUPON"

    def info(self) -> dict[str, Any]:
        """The card as ``card/get`` describes it: its type, and its base_info under the type's key."""
        kind = self.card_type.lower()
        base_info = {
            **self.base_info,
            "id": self.card_id,
            "status": "CARD_STATUS_VERIFY_OK",
            "sku": {**(self.base_info.get("sku") or {}), "quantity": self.quantity},
        }
        return {"card_type": self.card_type, kind: {"base_info": base_info}}


@dataclass
class CardState:
    """Cards, wallets and pushes; guarded by one lock."""

    cards: dict[str, SimCard] = field(default_factory=dict)
    pushes: list[dict[str, str]] = field(default_factory=list)
    lock: threading.RLock = field(default_factory=threading.RLock)

    def wallet(self, app_id: str, openid: str) -> list[dict[str, str]]:
        """The cards of one follower of one account."""
        with self.lock:
            return [
                {"card_id": c.card_id, "code": code, "status": rec["status"]}
                for c in self.cards.values()
                if c.app_id == app_id
                for code, rec in c.received.items()
                if rec["openid"] == openid
            ]


def register(app: Flask) -> None:
    """Give the simulator app its card endpoints and card state."""
    app.config.setdefault("SIM_CARDS", CardState())
    app.register_blueprint(bp)


def cards() -> CardState:
    return current_app.config["SIM_CARDS"]


def _error(errcode: int, errmsg: str):
    return jsonify(errcode=errcode, errmsg=errmsg)


def _caller() -> str | None:
    """The app id whose access token the request carries."""
    app_id, _ = current_app.config["SIM_STATE"].check_token(request.args.get("access_token", ""))
    return app_id


def _ticket(app_id: str) -> str:
    """The account's current wx_card api_ticket (kept with the JS-SDK tickets)."""
    return current_app.config["SIM_STATE"].ticket(app_id, "wx_card").value


def _body() -> dict[str, Any]:
    return request.get_json(force=True, silent=True) or {}


def _card(app_id: str, card_id: str) -> SimCard | None:
    card = cards().cards.get(card_id or "")
    return card if card is not None and card.app_id == app_id else None


@bp.before_request
def authenticate():
    if not request.path.startswith("/card/"):
        return None
    app_id, errcode = current_app.config["SIM_STATE"].check_token(request.args.get("access_token", ""))
    if app_id is None:
        return _error(
            errcode,
            "access_token expired" if errcode == 42001 else "invalid credential, access_token is invalid or not latest",
        )
    return None


@bp.post("/card/create")
def create():
    card = _body().get("card") or {}
    kind = str(card.get("card_type", "")).lower()
    base_info = (card.get(kind) or {}).get("base_info") or {}
    card_id = "p" + secrets.token_urlsafe(20)[:27]
    with cards().lock:
        cards().cards[card_id] = SimCard(
            _caller(),
            card_id,
            base_info,
            int((base_info.get("sku") or {}).get("quantity", 0)),
            card_type=kind.upper() or "GROUPON",
        )
    return jsonify(errcode=0, errmsg="ok", card_id=card_id)


@bp.post("/card/get")
def card_get():
    """``card/get``: one card of the caller's account, or 40073 for a card_id it does not have."""
    card = _card(_caller(), _body().get("card_id"))
    if card is None:
        return _error(ERR_INVALID_CARD, "invalid card id")
    return jsonify(errcode=0, errmsg="ok", card=card.info())


@bp.post("/card/batchget")
def card_batchget():
    """``card/batchget``: the caller's card ids, ``count`` (at most 50) from ``offset``."""
    body = _body()
    offset, count = body.get("offset", 0), body.get("count", 50)
    if (
        not all(isinstance(n, int) and not isinstance(n, bool) for n in (offset, count))
        or offset < 0
        or not 1 <= count <= 50
    ):
        return _error(ERR_INVALID_PARAMETER, "invalid offset or count")
    app_id = _caller()
    with cards().lock:
        ids = [c.card_id for c in cards().cards.values() if c.app_id == app_id]
    return jsonify(errcode=0, errmsg="ok", card_id_list=ids[offset : offset + count], total_num=len(ids))


@bp.post("/card/code/deposit")
def deposit():
    body = _body()
    card = _card(_caller(), body.get("card_id"))
    if card is None:
        return _error(ERR_INVALID_CARD, "invalid card id")
    codes = [str(c) for c in body.get("code") or []]
    if len(codes) > MAX_DEPOSIT:
        return _error(ERR_TOO_MANY_CODES, "code count exceed the limit")
    succ, dup, fail = [], [], []
    with cards().lock:
        for code in codes:
            if not code or len(code) > 20:
                fail.append(code)
            elif code in card.deposited:
                dup.append(code)
            else:
                card.deposited.append(code)
                succ.append(code)
    return jsonify(errcode=0, errmsg="ok", succ_code=succ, duplicate_code=dup, fail_code=fail)


@bp.post("/card/code/getdepositcount")
def deposit_count():
    card = _card(_caller(), _body().get("card_id"))
    if card is None:
        return _error(ERR_INVALID_CARD, "invalid card id")
    return jsonify(errcode=0, errmsg="ok", count=len(card.deposited))


@bp.post("/card/modifystock")
def modify_stock():
    body = _body()
    card = _card(_caller(), body.get("card_id"))
    if card is None:
        return _error(ERR_INVALID_CARD, "invalid card id")
    with cards().lock:
        card.quantity += int(body.get("increase_stock_value") or 0)
        card.quantity = max(0, card.quantity - int(body.get("reduce_stock_value") or 0))
    return jsonify(errcode=0, errmsg="ok")


def _received(body: dict[str, Any]) -> tuple[SimCard | None, dict[str, str] | None]:
    app_id, code = _caller(), str(body.get("code") or "")
    wanted = body.get("card_id")
    for card in cards().cards.values():
        if card.app_id == app_id and code in card.received and wanted in (None, "", card.card_id):
            return card, card.received[code]
    return None, None


@bp.post("/card/code/get")
def code_get():
    body = _body()
    card, record = _received(body)
    if record is None:
        return _error(ERR_INVALID_CODE, "invalid serial code")
    # A missing check_consume means true, as in WeChat.
    if body.get("check_consume", True) is not False and record["status"] == "CONSUMED":
        return _error(ERR_CONSUMED, "invalid code, this code has consumed.")
    return jsonify(
        errcode=0,
        errmsg="ok",
        openid=record["openid"],
        can_consume=record["status"] == "NORMAL",
        user_card_status=record["status"],
        card={"card_id": card.card_id, "begin_time": 0, "end_time": 0},
    )


@bp.post("/card/code/consume")
def consume():
    body = _body()
    with cards().lock:
        card, record = _received(body)
        if record is None:
            return _error(ERR_INVALID_CODE, "invalid serial code")
        if record["status"] == "CONSUMED":
            return _error(ERR_CONSUMED, "invalid code, this code has consumed.")
        record["status"] = "CONSUMED"
    _push(card.app_id, record["openid"], "user_consume_card", card.card_id, str(body.get("code")))
    return jsonify(errcode=0, errmsg="ok", openid=record["openid"], card={"card_id": card.card_id})


@bp.post("/card/qrcode/create")
def qrcode_create():
    info = ((_body().get("action_info") or {}).get("card")) or {}
    if _card(_caller(), info.get("card_id")) is None:
        return _error(ERR_INVALID_CARD, "invalid card id")
    ticket = secrets.token_urlsafe(32)
    base = request.host_url.rstrip("/")
    return jsonify(
        errcode=0,
        errmsg="ok",
        ticket=ticket,
        expire_seconds=int(_body().get("expire_seconds") or 1800),
        url=f"{base}/sim/card-qr/{ticket}",
        show_qrcode_url=f"{base}/cgi-bin/showqrcode?ticket={ticket}",
    )


@bp.before_app_request
def card_ticket():
    """``cgi-bin/ticket/getticket?type=wx_card``: the account's card api_ticket.

    Answered before routing so that the JS-SDK ticket endpoint (``type=jsapi``) can live
    with the rest of the JS-SDK, while the card ticket stays with the card wallet that checks it.
    """
    if request.path != "/cgi-bin/ticket/getticket" or request.args.get("type") != "wx_card":
        return None
    app_id = _caller()
    if app_id is None:
        return _error(ERR_INVALID_CREDENTIAL, "invalid credential, access_token is invalid or not latest")
    return jsonify(errcode=0, errmsg="ok", ticket=_ticket(app_id), expires_in=7200)


def _signature(*values: str) -> str:
    return hashlib.sha1("".join(sorted(values)).encode("utf-8")).hexdigest()


def add_card(card_id: str, card_ext: str) -> tuple[int, str]:
    """What ``wx.addCard`` does with one card: check the signature and stock, fill the wallet."""
    state = cards()
    try:
        ext = json.loads(card_ext)
    except (TypeError, ValueError):
        return ERR_SIGNATURE, "invalid cardExt"
    with state.lock:
        card = state.cards.get(card_id)
        if card is None:
            return ERR_INVALID_CARD, "invalid card id"
        values = [
            _ticket(card.app_id),
            str(ext.get("timestamp", "")),
            card_id,
            str(ext.get("code", "")),
            str(ext.get("openid", "")),
            str(ext.get("nonce_str", "")),
        ]
        if not secrets.compare_digest(_signature(*values), str(ext.get("signature", ""))):
            return ERR_SIGNATURE, "invalid signature"
        code, openid = str(ext.get("code", "")), str(ext.get("openid", ""))
        if code not in card.deposited or code in card.received:
            return ERR_INVALID_CODE, "invalid serial code"
        if card.quantity <= 0:
            return ERR_NO_STOCK, "no stock"
        card.quantity -= 1
        card.received[code] = {"openid": openid, "status": "NORMAL"}
    _push(card.app_id, openid, "user_get_card", card_id, code)
    return 0, "ok"


def _push(app_id: str, openid: str, event: str, card_id: str, code: str) -> None:
    fields = {
        "ToUserName": app_id,
        "FromUserName": openid,
        "CreateTime": str(int(current_app.config["SIM_STATE"].clock())),
        "MsgType": "event",
        "Event": event,
        "CardId": card_id,
        "UserCardCode": code,
    }
    with cards().lock:
        cards().pushes.append(fields)
    deliver = current_app.config.get("SIM_PUSH")
    if deliver is not None:
        deliver(app_id, fields)


@bp.route("/sim/cards/add", methods=["POST", "OPTIONS"])
def wallet_add():
    """The stand-in's ``wx.addCard``: ``{"cardList": [{"cardId", "cardExt"}]}``."""
    if request.method == "OPTIONS":
        return _cors(Response(status=204))
    results = []
    for item in _body().get("cardList") or []:
        errcode, errmsg = add_card(str(item.get("cardId", "")), item.get("cardExt"))
        results.append({"cardId": item.get("cardId"), "errcode": errcode, "errmsg": errmsg, "isSuccess": errcode == 0})
    ok = bool(results) and all(r["isSuccess"] for r in results)
    return _cors(jsonify(errMsg="addCard:ok" if ok else "addCard:fail", cardList=results))


@bp.get("/sim/cards/wallet/<app_id>/<openid>")
def wallet(app_id: str, openid: str):
    """A simulated follower's card wallet."""
    return jsonify(cards=cards().wallet(app_id, openid))


@bp.get("/sim/cards.js")
def script():
    """The ``wx.addCard`` stand-in, added to whatever ``wx`` the page already has."""
    base = request.host_url.rstrip("/")
    body = ADD_CARD_JS.replace("__SIM__", json.dumps(base))
    return Response(body, mimetype="application/javascript")


def _cors(response: Response) -> Response:
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Access-Control-Allow-Headers"] = "Content-Type"
    return response


ADD_CARD_JS = """(function () {
  var wx = window.wx = window.wx || {};
  wx.addCard = function (opts) {
    fetch(__SIM__ + "/sim/cards/add", {method: "POST", headers: {"Content-Type": "application/json"},
      body: JSON.stringify({cardList: opts.cardList || []})})
      .then(function (r) { return r.json(); })
      .then(function (res) {
        var cb = res.errMsg === "addCard:ok" ? opts.success : opts.fail;
        if (cb) cb(res);
        if (opts.complete) opts.complete(res);
      })
      .catch(function (e) { if (opts.fail) opts.fail({errMsg: "addCard:fail " + e}); });
  };
})();
"""
