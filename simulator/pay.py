"""WeChat Pay's cash red packets: ``sendredpack`` and ``gethbinfo``, as XML signed with MD5 or HMAC-SHA256.

Like WeChat Pay: a request is refused with ``SIGN_ERROR`` unless its ``sign`` matches the
merchant's API key (``sign_type`` MD5 by default, or HMAC-SHA256); an ``mch_billno`` is paid
once (sending it again with the same openid and amount answers the same success, with other
values ``PARAM_ERROR``); amounts outside ¥1–¥200 are ``MONEY_LIMIT``; a merchant without
the balance gets ``NOTENOUGH``. A red packet is ``SENT`` until the follower opens it
(``POST /sim/pay/redpacks/<mch_billno>/open``, the "open the red packet" step), then
``RECEIVED``; unopened after 24 hours it is ``REFUND`` and the money goes back.
``POST /sim/pay/misbehave`` makes the next sends answer an error code or hang (a timeout).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

from defusedxml.ElementTree import fromstring
from flask import Blueprint, Flask, Response, current_app, jsonify, request

bp = Blueprint("sim_pay", __name__)

DEMO_MCH_ID = "1900000109"
DEMO_PAY_KEY = "DemoPayKey0000000000000000000001"
REFUND_AFTER_S = 24 * 3600
MIN_FEN, MAX_FEN = 100, 200_00


def sign(params: dict[str, str], key: str, sign_type: str = "MD5") -> str:
    """WeChat Pay's signature: ``k=v`` pairs sorted, empty values and ``sign`` left out, ``&key=``; upper hex."""
    text = "&".join(f"{k}={params[k]}" for k in sorted(params) if k != "sign" and params[k] not in ("", None))
    text += f"&key={key}"
    if sign_type == "HMAC-SHA256":
        return hmac.new(key.encode(), text.encode(), hashlib.sha256).hexdigest().upper()
    return hashlib.md5(text.encode()).hexdigest().upper()


@dataclass
class SimRedPacket:
    mch_billno: str
    mch_id: str
    wxappid: str
    openid: str
    amount: int
    send_name: str
    act_name: str
    send_listid: str
    status: str
    send_time: float
    rcv_time: float | None = None
    refund_time: float | None = None


@dataclass
class PayState:
    """Merchants, their balances and their red packets; guarded by one lock."""

    merchants: dict[str, dict] = field(
        default_factory=lambda: {DEMO_MCH_ID: {"api_key": DEMO_PAY_KEY, "balance": 1_000_000_00}}
    )
    packets: dict[str, SimRedPacket] = field(default_factory=dict)
    # The next sends answer these error codes (or "HANG": no answer within the client's timeout).
    failures: list[str] = field(default_factory=list)
    hang_s: float = 3.0
    sends: int = 0
    clock: Callable[[], float] = time.time
    lock: threading.RLock = field(default_factory=threading.RLock)

    def refund_due(self) -> None:
        """Unopened red packets older than 24 hours go back to their merchant."""
        now = self.clock()
        with self.lock:
            for packet in self.packets.values():
                if packet.status == "SENT" and now - packet.send_time >= REFUND_AFTER_S:
                    packet.status, packet.refund_time = "REFUND", now
                    self.merchants[packet.mch_id]["balance"] += packet.amount

    def listing(self) -> list[dict]:
        """Every red packet sent, for /sim/state."""
        self.refund_due()
        with self.lock:
            return [
                {"mch_billno": p.mch_billno, "openid": p.openid, "amount": p.amount, "status": p.status}
                for p in self.packets.values()
            ]


def register(app: Flask) -> None:
    """Give the simulator app its WeChat Pay endpoints and state."""
    app.config.setdefault("SIM_PAY", PayState())
    app.register_blueprint(bp)


def pay_state() -> PayState:
    return current_app.config["SIM_PAY"]


def _xml(fields: dict) -> Response:
    body = "".join(f"<{k}><![CDATA[{v}]]></{k}>" for k, v in fields.items() if v is not None)
    return Response(f"<xml>{body}</xml>", mimetype="text/xml")


def _fail(code: str, message: str, **extra) -> Response:
    return _xml({"return_code": "SUCCESS", "return_msg": message, "result_code": "FAIL", "err_code": code,
                 "err_code_des": message, **extra})  # fmt: skip


def _signed_request() -> tuple[dict[str, str] | None, Response | None]:
    try:
        root = fromstring(request.get_data())
    except Exception:  # noqa: BLE001 - any unreadable body is WeChat's XML_ERROR
        return None, _xml({"return_code": "FAIL", "return_msg": "XML_ERROR"})
    params = {child.tag: (child.text or "") for child in root}
    merchant = pay_state().merchants.get(params.get("mch_id", ""))
    sign_type = params.get("sign_type") or "MD5"
    if merchant is None:
        return None, _fail("NO_AUTH", "商户号不存在")
    if sign_type not in ("MD5", "HMAC-SHA256") or params.get("sign") != sign(params, merchant["api_key"], sign_type):
        return None, _xml({"return_code": "FAIL", "return_msg": "签名错误", "err_code": "SIGN_ERROR"})
    return params, None


def _check_send(params: dict[str, str]) -> Response | None:
    required = ("mch_billno", "wxappid", "re_openid", "total_amount", "send_name", "act_name", "total_num")
    if any(not params.get(name) for name in required) or not params["total_amount"].isdigit():
        return _fail("PARAM_ERROR", "参数错误")
    if not MIN_FEN <= int(params["total_amount"]) <= MAX_FEN:
        return _fail("MONEY_LIMIT", "每个红包的金额必须在默认额度内")
    return None


@bp.post("/mmpaymkttransfers/sendredpack")
def sendredpack():
    """Send a cash red packet to ``re_openid`` (once per ``mch_billno``)."""
    params, refusal = _signed_request()
    if refusal is not None:
        return refusal
    sim = pay_state()
    with sim.lock:
        sim.sends += 1
        failure = sim.failures.pop(0) if sim.failures else None
    if failure and failure != "HANG":
        return _fail(failure, {"NOTENOUGH": "帐号余额不足", "FREQ_LIMIT": "超过频率限制"}.get(failure, "系统繁忙"))
    refusal = _check_send(params)
    if refusal is not None:
        return refusal
    answer = _pay(sim, params)
    if failure == "HANG":
        # WeChat Pay took the money but the answer never arrives in time.
        time.sleep(sim.hang_s)
    return answer


def _pay(sim: PayState, params: dict[str, str]) -> Response:
    amount, billno = int(params["total_amount"]), params["mch_billno"]
    with sim.lock:
        packet = sim.packets.get(billno)
        if packet is not None:
            if (packet.openid, packet.amount) != (params["re_openid"], amount):
                return _fail("PARAM_ERROR", "该订单号已使用，请使用新的订单号")
        else:
            merchant = sim.merchants[params["mch_id"]]
            if merchant["balance"] < amount:
                return _fail("NOTENOUGH", "帐号余额不足")
            merchant["balance"] -= amount
            packet = sim.packets[billno] = SimRedPacket(
                billno, params["mch_id"], params["wxappid"], params["re_openid"], amount, params["send_name"],
                params["act_name"], "1000041701" + secrets.token_hex(9), "SENT", sim.clock(),
            )  # fmt: skip
    fields = {"mch_billno": billno, "mch_id": packet.mch_id, "wxappid": packet.wxappid, "re_openid": packet.openid,
              "total_amount": packet.amount, "send_listid": packet.send_listid}  # fmt: skip
    return _xml({"return_code": "SUCCESS", "return_msg": "发放成功", "result_code": "SUCCESS", **fields})


@bp.post("/mmpaymkttransfers/gethbinfo")
def gethbinfo():
    """A red packet's record by ``mch_billno``: SENT, RECEIVED or REFUND."""
    params, refusal = _signed_request()
    if refusal is not None:
        return refusal
    sim = pay_state()
    sim.refund_due()
    packet = sim.packets.get(params.get("mch_billno", ""))
    if packet is None or packet.mch_id != params.get("mch_id"):
        return _fail("NOT_FOUND", "指定单号数据不存在")
    fields = {"return_code": "SUCCESS", "return_msg": "OK", "result_code": "SUCCESS", "mch_billno": packet.mch_billno,
              "mch_id": packet.mch_id, "detail_id": packet.send_listid, "status": packet.status, "send_type": "API",
              "hb_type": "NORMAL", "total_num": 1, "total_amount": packet.amount, "openid": packet.openid}  # fmt: skip
    if packet.rcv_time:
        fields["rcv_time"] = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(packet.rcv_time))
    return _xml(fields)


def _cors(response: Response, status: int = 200) -> tuple[Response, int]:
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Access-Control-Allow-Headers"] = "Content-Type"
    return response, status


@bp.route("/sim/pay/redpacks/<billno>/open", methods=["POST", "OPTIONS"])
def open_red_packet(billno: str):
    """The follower opens the red packet in WeChat: ``{"openid"}``; SENT becomes RECEIVED."""
    if request.method == "OPTIONS":
        return _cors(Response(status=204), 204)
    sim = pay_state()
    sim.refund_due()
    openid = str((request.get_json(silent=True) or {}).get("openid", ""))
    with sim.lock:
        packet = sim.packets.get(billno)
        if packet is None or packet.openid != openid:
            return _cors(jsonify(errcode=404, errmsg="no such red packet for this follower"), 404)
        if packet.status != "SENT":
            return _cors(jsonify(errcode=409, errmsg=f"the red packet is {packet.status}"), 409)
        packet.status, packet.rcv_time = "RECEIVED", sim.clock()
        return _cors(jsonify(errcode=0, errmsg="ok", packet=asdict(packet)))


@bp.post("/sim/pay/misbehave")
def misbehave():
    """``{"failures": ["NOTENOUGH", "SYSTEMERROR", "FREQ_LIMIT", "HANG", …], "hang_s": 3}`` for the next sends."""
    body = request.get_json(silent=True) or {}
    sim = pay_state()
    with sim.lock:
        sim.failures = [str(code) for code in body.get("failures") or []]
        sim.hang_s = float(body.get("hang_s", sim.hang_s))
    return jsonify(errcode=0, errmsg="ok", failures=sim.failures)


@bp.post("/sim/pay/merchants")
def register_merchant():
    """Create or update a merchant: ``{"mch_id", "api_key", "balance"}`` (fen)."""
    body = request.get_json(silent=True) or {}
    mch_id, key = str(body.get("mch_id", "")), str(body.get("api_key", ""))
    if not mch_id.isdigit() or len(key) != 32:
        return jsonify(errcode=40013, errmsg="mch_id is digits and api_key 32 characters"), 400
    with pay_state().lock:
        pay_state().merchants[mch_id] = {"api_key": key, "balance": int(body.get("balance", 1_000_000_00))}
    return jsonify(errcode=0, errmsg="ok")
