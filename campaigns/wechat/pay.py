"""WeChat Pay, through wechatpy's client (``wechatpy.pay.WeChatPay``), with its base URL from settings.

The merchant's API key, certificate and private key are sealed at rest (``MerchantAccount``);
the certificate and key are written to private temporary files only for the request that
needs them (requests takes file paths), and removed afterwards.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from wechatpy.pay import WeChatPay

from ..catalog.messages import msg
from ..catalog.models import OfficialAccount
from ..coupons.models import MerchantAccount
from ..crypto import SecretBox
from ..errors import InvalidInput

DEFAULT_BASE = "https://api.mch.weixin.qq.com"
SIGN_TYPES = ("MD5", "HMAC-SHA256")
TIMEOUT_S = 10


def set_merchant(
    session: Session,
    secrets: SecretBox,
    account: OfficialAccount,
    *,
    mch_id: str,
    api_key: str,
    send_name: str,
    cert_pem: str = "",
    key_pem: str = "",
    sign_type: str = "MD5",
    cert_serial: str = "",
) -> MerchantAccount:
    """Record (or replace) the account's WeChat Pay merchant, its secrets sealed. Does not commit."""
    problems = {}
    if not (mch_id.isdigit() and 8 <= len(mch_id) <= 10):
        problems["mch_id"] = msg("The merchant id is 8 to 10 digits.")
    if len(api_key) != 32 or not api_key.isalnum():
        problems["api_key"] = msg("The API key is 32 letters and digits.")
    if not 1 <= len(send_name) <= 10:
        problems["send_name"] = msg("The sender's name on the red packet is 1 to 10 characters.")
    if sign_type not in SIGN_TYPES:
        problems["sign_type"] = msg("Choose MD5 or HMAC-SHA256.")
    if problems:
        raise InvalidInput(msg("The merchant settings are not valid."), fields=problems)
    merchant = merchant_of(session, account.id) or MerchantAccount(account_id=account.id)
    merchant.mch_id, merchant.send_name, merchant.sign_type = mch_id, send_name, sign_type
    merchant.api_key_sealed = secrets.seal(api_key)
    merchant.cert_sealed = secrets.seal(cert_pem) if cert_pem else ""
    merchant.key_sealed = secrets.seal(key_pem) if key_pem else ""
    merchant.cert_serial = cert_serial[:64]
    session.add(merchant)
    return merchant


def merchant_of(session: Session, account_id: int) -> MerchantAccount | None:
    """The account's WeChat Pay merchant, if one is set."""
    return session.scalar(select(MerchantAccount).where(MerchantAccount.account_id == account_id))


@contextmanager
def _pem_files(secrets: SecretBox, merchant: MerchantAccount) -> Iterator[tuple[str | None, str | None]]:
    if not (merchant.cert_sealed and merchant.key_sealed):
        yield None, None
        return
    paths = []
    try:
        for sealed in (merchant.cert_sealed, merchant.key_sealed):
            fd, path = tempfile.mkstemp(suffix=".pem")
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.open(sealed))
            paths.append(path)
        yield paths[0], paths[1]
    finally:
        for path in paths:
            os.unlink(path)


def merchant_coupons(settings: dict[str, Any], secrets: SecretBox, merchant: MerchantAccount):
    """The thin API v3 merchant-coupon client for the merchant (its certificate key and serial needed)."""
    from .busifavor import MerchantCoupons

    if not (merchant.key_sealed and merchant.cert_serial):
        raise InvalidInput(msg("Merchant coupons need the merchant's API certificate, its key and serial number."))
    base = (settings.get("WECHAT_PAY_BASE") or DEFAULT_BASE).rstrip("/")
    timeout = float(settings.get("WECHAT_PAY_TIMEOUT_S", TIMEOUT_S))
    return MerchantCoupons(base, merchant.mch_id, merchant.cert_serial, secrets.open(merchant.key_sealed), timeout)


@contextmanager
def pay_client(
    settings: dict[str, Any], secrets: SecretBox, account: OfficialAccount, merchant: MerchantAccount
) -> Iterator[WeChatPay]:
    """wechatpy's WeChat Pay client for the account's merchant, aimed at ``WECHAT_PAY_BASE``."""
    with _pem_files(secrets, merchant) as (cert, key):
        client = WeChatPay(
            appid=account.app_id,
            api_key=secrets.open(merchant.api_key_sealed),
            mch_id=merchant.mch_id,
            mch_cert=cert,
            mch_key=key,
            timeout=float(settings.get("WECHAT_PAY_TIMEOUT_S", TIMEOUT_S)),
        )
        client.API_BASE_URL = (settings.get("WECHAT_PAY_BASE") or DEFAULT_BASE).rstrip("/") + "/"
        yield client
