"""WeChat cards: the marketer's own codes deposited to a card, added to the follower's wallet.

Codes go to WeChat through ``card/code/deposit`` in batches of 100 and the card's
stock is raised by as many (``card/modifystock``). The follower adds the won card
with JS-SDK ``wx.addCard``, whose ``cardExt`` the server signs here; stores consume
it through ``card/code/consume``. WeChat no longer opens the card feature to new
accounts; platform codes work without it.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import requests
from wechatpy.exceptions import WeChatClientException

from ..catalog.models import PrizeTier
from ..clock import to_ms
from ..context import Context
from ..errors import AlreadyRedeemed, Busy, InvalidInput, WeChatError
from .issuers import register
from .models import CouponCode
from .platform_codes import chunks

DEPOSIT_BATCH = 100
# WeChat's answer when a code was consumed before.
ERR_CONSUMED = 40099
ERR_UNKNOWN_CODE = 40056


def card_signature(*values: str) -> str:
    """WeChat's card signature: the values sorted as strings, concatenated, SHA-1."""
    return hashlib.sha1("".join(sorted(str(v) for v in values)).encode("utf-8")).hexdigest()


def card_ext(api_ticket: str, card_id: str, code: str, openid: str, timestamp: int, nonce_str: str) -> dict[str, str]:
    """The ``cardExt`` of ``wx.addCard`` for one code bound to one follower."""
    signature = card_signature(api_ticket, str(timestamp), card_id, code, openid, nonce_str)
    return {"code": code, "openid": openid, "timestamp": str(timestamp), "nonce_str": nonce_str, "signature": signature}


@dataclass
class DepositResult:
    """How WeChat took a deposit: accepted codes (new or already there) and refused ones."""

    accepted: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    stock_added: int = 0


def deposit(client: Any, card_id: str, codes: Sequence[str]) -> DepositResult:
    """Deposit ``codes`` to the card in batches of 100 and raise its stock by the new ones."""
    result = DepositResult()
    for batch in chunks(codes, DEPOSIT_BATCH):
        answer = _call(client.card.deposit_code, card_id, batch)
        new = list(answer.get("succ_code") or [])
        result.accepted += new + list(answer.get("duplicate_code") or [])
        result.failed += list(answer.get("fail_code") or [])
        if new:
            # Stock is raised batch by batch so a failure later leaves stock matching the deposits.
            _call(client.card.modify_stock, card_id, len(new))
            result.stock_added += len(new)
    return result


def _call(method, *args, **kwargs) -> dict[str, Any]:
    try:
        return method(*args, **kwargs) or {}
    except WeChatClientException as exc:
        raise WeChatError(f"WeChat refused the card request ({exc.errcode}: {exc.errmsg}).") from exc
    except (requests.RequestException, OSError) as exc:
        raise unreachable() from exc


def unreachable() -> Busy:
    """The error for WeChat not answering: try again later."""
    return Busy("WeChat cannot be reached right now; please try again in a moment.")


class WeChatCards:
    """Cards of the WeChat card feature (``coupon_kind`` ``wechat_card``)."""

    kind = "wechat_card"
    label = "WeChat card"
    note = (
        "Needs WeChat's card feature, which WeChat no longer opens to new accounts "
        "(WeChat Pay merchant coupons replace it); platform codes work without it."
    )

    def stock(self, ctx: Context, tier: PrizeTier, codes: Sequence[str]) -> list[str]:
        """Deposit the codes to the tier's card; only the ones WeChat accepted may be awarded."""
        if not tier.card_id:
            raise InvalidInput("A WeChat card prize needs the card_id.", fields={"card_id": "required"})
        result = deposit(ctx.wechat_client(tier.campaign.account), tier.card_id, codes)
        return result.accepted

    def deliver(self, ctx: Context, coupon: CouponCode) -> dict[str, Any]:
        """The card id; the page asks for the signed ``cardExt`` and calls ``wx.addCard``."""
        return {"kind": self.kind, "code": coupon.code, "display": coupon.code, "card_id": coupon.tier.card_id}

    def sign(self, ctx: Context, coupon: CouponCode) -> dict[str, Any]:
        """The ``wx.addCard`` card list entry for the coupon's winner, signed with the wx_card api_ticket."""
        client = ctx.wechat_client(coupon.tier.campaign.account)
        try:
            ticket = client.jsapi.get_jsapi_card_ticket()
        except WeChatClientException as exc:
            raise WeChatError(f"WeChat refused the card ticket ({exc.errcode}).") from exc
        except (requests.RequestException, OSError) as exc:
            raise unreachable() from exc
        ext = card_ext(
            ticket,
            coupon.tier.card_id,
            coupon.code,
            coupon.openid or "",
            to_ms(ctx.clock.now()) // 1000,
            secrets.token_hex(8),
        )
        return {"cardId": coupon.tier.card_id, "cardExt": json.dumps(ext, separators=(",", ":"))}

    def redeem(self, ctx: Context, coupon: CouponCode) -> None:
        """Consume the code in WeChat; 40099 means it was consumed before."""
        client = ctx.wechat_client(coupon.tier.campaign.account)
        try:
            client.card.consume_code(coupon.code, coupon.tier.card_id)
        except WeChatClientException as exc:
            if exc.errcode == ERR_CONSUMED:
                raise AlreadyRedeemed("This card was already consumed in WeChat.") from exc
            raise WeChatError(f"WeChat refused to consume the card ({exc.errcode}: {exc.errmsg}).") from exc
        except (requests.RequestException, OSError) as exc:
            raise unreachable() from exc

    def lookup(self, ctx: Context, coupon: CouponCode) -> dict[str, Any]:
        """WeChat's view of the code (``card/code/get`` without the consumed check)."""
        client = ctx.wechat_client(coupon.tier.campaign.account)
        try:
            answer = client.card.get_code(coupon.code, coupon.tier.card_id, check_consume=False)
        except WeChatClientException as exc:
            if exc.errcode == ERR_UNKNOWN_CODE:
                return {"state": "unknown"}
            raise WeChatError(f"WeChat refused the code lookup ({exc.errcode}).") from exc
        except (requests.RequestException, OSError) as exc:
            raise unreachable() from exc
        return {
            "state": answer.get("user_card_status", "").lower(),
            "openid": answer.get("openid"),
            "can_consume": answer.get("can_consume"),
        }

    def expire(self, ctx: Context, coupon: CouponCode) -> None:
        """WeChat expires cards by their own dates; nothing to call."""


register(WeChatCards())
