"""A thin client for WeChat Pay API v3 merchant coupons (商家券, ``/v3/marketing/busifavor``); wechatpy has none.

Three calls: create a stock, send a coupon of it to an openid (the coupon's code is ours,
``coupon_code_mode`` ``MERCHANT_API``), and ``coupons/use`` when a store redeems it. Every
request is signed as API v3 requires: ``WECHATPAY2-SHA256-RSA2048`` over
``METHOD\\nPATH\\nTIMESTAMP\\nNONCE\\nBODY\\n`` with the merchant's API certificate key; the
base URL is ``WECHAT_PAY_BASE``. (Verifying WeChat Pay's answer signatures needs its platform
certificate, which a merchant downloads once; see docs/coupons.md.)
"""

from __future__ import annotations

import base64
import json
import secrets
import time
from typing import Any

import requests
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding

PREFIX = "/v3/marketing/busifavor"
SCHEMA = "WECHATPAY2-SHA256-RSA2048"


class MerchantCouponError(Exception):
    """WeChat Pay refused a merchant-coupon call: its HTTP status, ``code`` and ``message``."""

    def __init__(self, status: int, code: str, message: str):
        super().__init__(f"{status} {code}: {message}")
        self.status, self.code, self.message = status, code, message


def signature_message(method: str, path: str, timestamp: str, nonce: str, body: str) -> bytes:
    """What API v3 signs: the method, the path with its query, the time, the nonce and the body, a line each."""
    return f"{method}\n{path}\n{timestamp}\n{nonce}\n{body}\n".encode()


def sign(private_key_pem: str, message: bytes) -> str:
    """RSA-SHA256 (PKCS#1 v1.5) of ``message`` with the merchant's key, in base64."""
    key = serialization.load_pem_private_key(private_key_pem.encode(), password=None)
    return base64.b64encode(key.sign(message, padding.PKCS1v15(), hashes.SHA256())).decode()


def _beijing_now() -> str:
    # API v3 takes RFC 3339 times; WeChat Pay's examples give them in Beijing time.
    return time.strftime("%Y-%m-%dT%H:%M:%S+08:00", time.gmtime(time.time() + 8 * 3600))


class MerchantCoupons:
    """Create stocks, send coupons and redeem them for one merchant."""

    def __init__(self, base: str, mch_id: str, serial_no: str, private_key_pem: str, timeout: float = 10):
        self.base, self.mch_id, self.serial_no = base.rstrip("/"), mch_id, serial_no
        self._key, self.timeout = private_key_pem, timeout

    def _authorization(self, method: str, path: str, body: str) -> str:
        timestamp, nonce = str(int(time.time())), secrets.token_hex(16)
        signature = sign(self._key, signature_message(method, path, timestamp, nonce, body))
        return (
            f'{SCHEMA} mchid="{self.mch_id}",nonce_str="{nonce}",signature="{signature}",'
            f'timestamp="{timestamp}",serial_no="{self.serial_no}"'
        )

    def _post(self, path: str, payload: dict[str, Any]) -> dict[str, Any]:
        body = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
        headers = {
            "Authorization": self._authorization("POST", path, body),
            "Content-Type": "application/json",
            "Accept": "application/json",
        }
        answer = requests.post(self.base + path, data=body.encode(), headers=headers, timeout=self.timeout)
        data = answer.json() if answer.content else {}
        if answer.status_code >= 300:
            raise MerchantCouponError(answer.status_code, str(data.get("code", "")), str(data.get("message", "")))
        return data

    def create_stock(self, name: str, belong_merchant: str, out_request_no: str, **rules: Any) -> str:
        """Create a merchant-coupon stock whose codes the merchant gives at send time; return its ``stock_id``."""
        payload = {
            "stock_name": name[:21],
            "belong_merchant": belong_merchant,
            "goods_name": rules.pop("goods_name", name)[:15],
            "stock_type": rules.pop("stock_type", "NORMAL"),
            "coupon_code_mode": "MERCHANT_API",
            "out_request_no": out_request_no,
            **rules,
        }
        return str(self._post(f"{PREFIX}/stocks", payload)["stock_id"])

    def send(self, stock_id: str, appid: str, openid: str, coupon_code: str, out_request_no: str) -> dict[str, Any]:
        """Give ``openid`` the coupon ``coupon_code`` of ``stock_id`` (its wallet in WeChat Pay)."""
        payload = {"appid": appid, "openid": openid, "coupon_code": coupon_code, "out_request_no": out_request_no,
                   "send_time": _beijing_now()}  # fmt: skip
        return self._post(f"{PREFIX}/coupons/{stock_id}/send", payload)

    def use(self, stock_id: str, appid: str, openid: str, coupon_code: str, use_request_no: str) -> dict[str, Any]:
        """Redeem (核销) the coupon in a store: ``coupons/use``."""
        payload = {"coupon_code": coupon_code, "stock_id": stock_id, "appid": appid, "openid": openid,
                   "use_request_no": use_request_no, "use_time": _beijing_now()}  # fmt: skip
        return self._post(f"{PREFIX}/coupons/use", payload)
