"""WeChat Pay API v3 merchant coupons (商家券): create a stock, send a coupon to an openid, ``coupons/use``.

Requests are checked as WeChat Pay checks them: the ``WECHATPAY2-SHA256-RSA2048`` Authorization
must name a registered merchant and the serial number of its certificate, and its signature over
``METHOD\\nPATH\\nTIMESTAMP\\nNONCE\\nBODY\\n`` must verify with that certificate's public key (else
401 ``SIGN_ERROR``). Errors are JSON ``{"code", "message"}`` with WeChat Pay's codes: 400
``PARAM_ERROR``, 404 ``RESOURCE_NOT_EXISTS``, 400 ``RESOURCE_ALREADY_EXISTS`` for a code sent twice,
400 ``COUPON_USED`` for a coupon used before. Merchants are registered with
``POST /sim/pay/busifavor/merchants`` ``{"mch_id", "serial_no", "public_key_pem"}``.
"""

from __future__ import annotations

import base64
import re
import secrets
import threading
from dataclasses import asdict, dataclass, field

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding
from flask import Blueprint, Flask, current_app, jsonify, request

bp = Blueprint("sim_busifavor", __name__)
AUTH = re.compile(r"^WECHATPAY2-SHA256-RSA2048 (.+)$")


@dataclass
class SimCoupon:
    stock_id: str
    coupon_code: str
    openid: str
    appid: str
    state: str = "SENDED"
    use_request_no: str = ""


@dataclass
class BusifavorState:
    """Merchants' public keys, stocks and coupons; guarded by one lock."""

    merchants: dict[str, dict] = field(default_factory=dict)
    stocks: dict[str, dict] = field(default_factory=dict)
    coupons: dict[tuple[str, str], SimCoupon] = field(default_factory=dict)
    lock: threading.RLock = field(default_factory=threading.RLock)


def register(app: Flask) -> None:
    """Give the simulator app its merchant-coupon endpoints and state."""
    app.config.setdefault("SIM_BUSIFAVOR", BusifavorState())
    app.register_blueprint(bp)


def busifavor() -> BusifavorState:
    return current_app.config["SIM_BUSIFAVOR"]


def _error(status: int, code: str, message: str):
    return jsonify(code=code, message=message), status


def _caller() -> str | None:
    """The merchant whose signature the request carries, or None."""
    found = AUTH.match(request.headers.get("Authorization", ""))
    if not found:
        return None
    fields = dict(re.findall(r'(\w+)="([^"]*)"', found.group(1)))
    merchant = busifavor().merchants.get(fields.get("mchid", ""))
    if merchant is None or merchant["serial_no"] != fields.get("serial_no"):
        return None
    path = request.full_path.rstrip("?")
    message = f"{request.method}\n{path}\n{fields.get('timestamp')}\n{fields.get('nonce_str')}\n"
    message += request.get_data(as_text=True) + "\n"
    key = serialization.load_pem_public_key(merchant["public_key_pem"].encode())
    try:
        key.verify(base64.b64decode(fields.get("signature", "")), message.encode(), padding.PKCS1v15(), hashes.SHA256())
    except (InvalidSignature, ValueError):
        return None
    return fields["mchid"]


def _body() -> dict:
    body = request.get_json(silent=True)
    return body if isinstance(body, dict) else {}


@bp.post("/v3/marketing/busifavor/stocks")
def create_stock():
    """Create a stock; ``coupon_code_mode`` ``MERCHANT_API`` lets the merchant give each coupon's code."""
    mch_id = _caller()
    if mch_id is None:
        return _error(401, "SIGN_ERROR", "签名错误")
    body = _body()
    if not body.get("stock_name") or body.get("coupon_code_mode") not in ("MERCHANT_API", "WECHATPAY_MODE"):
        return _error(400, "PARAM_ERROR", "参数错误")
    stock_id = str(1_000_000_000 + secrets.randbelow(9_000_000_000))
    with busifavor().lock:
        busifavor().stocks[stock_id] = {**body, "mch_id": mch_id, "stock_id": stock_id}
    return jsonify(stock_id=stock_id, create_time="2026-01-01T00:00:00+08:00")


@bp.post("/v3/marketing/busifavor/coupons/<stock_id>/send")
def send_coupon(stock_id: str):
    """Put the coupon ``coupon_code`` of the stock into ``openid``'s WeChat Pay coupons."""
    mch_id = _caller()
    if mch_id is None:
        return _error(401, "SIGN_ERROR", "签名错误")
    body, state = _body(), busifavor()
    stock = state.stocks.get(stock_id)
    if stock is None or stock["mch_id"] != mch_id:
        return _error(404, "RESOURCE_NOT_EXISTS", "批次不存在")
    if not all(body.get(name) for name in ("appid", "openid", "coupon_code", "out_request_no")):
        return _error(400, "PARAM_ERROR", "参数错误")
    with state.lock:
        key = (stock_id, str(body["coupon_code"]))
        existing = state.coupons.get(key)
        if existing is not None and existing.openid != body["openid"]:
            return _error(400, "RESOURCE_ALREADY_EXISTS", "券code已存在")
        state.coupons[key] = existing or SimCoupon(stock_id, key[1], str(body["openid"]), str(body["appid"]))
    return jsonify(card_code=key[1], stock_id=stock_id)


@bp.post("/v3/marketing/busifavor/coupons/use")
def use_coupon():
    """Redeem (核销) a coupon once; a second use is ``COUPON_USED``."""
    mch_id = _caller()
    if mch_id is None:
        return _error(401, "SIGN_ERROR", "签名错误")
    body, state = _body(), busifavor()
    with state.lock:
        coupon = state.coupons.get((str(body.get("stock_id", "")), str(body.get("coupon_code", ""))))
        if coupon is None or state.stocks[coupon.stock_id]["mch_id"] != mch_id or coupon.openid != body.get("openid"):
            return _error(404, "RESOURCE_NOT_EXISTS", "券不存在")
        if coupon.state == "USED":
            return _error(400, "COUPON_USED", "券已核销")
        coupon.state, coupon.use_request_no = "USED", str(body.get("use_request_no", ""))
    return jsonify(stock_id=coupon.stock_id, openid=coupon.openid, wechatpay_use_time="2026-01-01T00:00:00+08:00")


@bp.post("/sim/pay/busifavor/merchants")
def register_merchant():
    """Register a merchant's certificate for API v3: ``{"mch_id", "serial_no", "public_key_pem"}``."""
    body = _body()
    try:
        serialization.load_pem_public_key(str(body.get("public_key_pem", "")).encode())
    except ValueError:
        return jsonify(errcode=40013, errmsg="public_key_pem is not a PEM public key"), 400
    with busifavor().lock:
        busifavor().merchants[str(body.get("mch_id"))] = {
            "serial_no": str(body.get("serial_no", "")),
            "public_key_pem": str(body["public_key_pem"]),
        }
    return jsonify(errcode=0, errmsg="ok")


@bp.get("/sim/pay/busifavor/coupons")
def list_coupons():
    """Every coupon sent, for tests and the demo."""
    with busifavor().lock:
        return jsonify(coupons=[asdict(c) for c in busifavor().coupons.values()])
