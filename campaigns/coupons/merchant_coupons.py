"""WeChat Pay merchant coupons (商家券, API v3): the won code is sent to the winner's WeChat Pay coupons.

The tier names its stock by ``card_id`` (the ``stock_id`` of a stock created with
``coupon_code_mode`` ``MERCHANT_API``, whose codes the platform gives: each prize's code is
its coupon's code). When the winner claims it (and the fraud checks approve), the coupon
is sent to the openid; a store redeems it on the staff page, which calls ``coupons/use``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import requests
from sqlalchemy import select, update

from ..catalog.messages import Message, msg
from ..catalog.models import PrizeTier
from ..context import Context
from ..errors import AlreadyRedeemed, Busy, InvalidInput, WeChatError
from ..wechat.busifavor import MerchantCouponError
from ..wechat.pay import merchant_coupons, merchant_of
from .issuers import GENERATED, ClaimStatus, register
from .models import Claim, CouponCode
from .platform_codes import in_store_status

# WeChat Pay's answer when a coupon was used before.
USED = ("COUPON_USED", "ALREADY_USED")


def _client(ctx: Context, coupon: CouponCode):
    merchant = merchant_of(ctx.session, coupon.tier.campaign.account_id)
    if merchant is None:
        raise InvalidInput(msg("Set the account's WeChat Pay merchant first."))
    return merchant_coupons(ctx.settings, ctx.secrets, merchant)


def _call(fn, *args):
    try:
        return fn(*args)
    except MerchantCouponError as exc:
        if exc.code in USED:
            raise AlreadyRedeemed("This coupon was already used in WeChat Pay.") from exc
        raise WeChatError(f"WeChat Pay refused the coupon ({exc.code}: {exc.message}).") from exc
    except (requests.RequestException, OSError) as exc:
        raise Busy("WeChat Pay cannot be reached right now; please try again in a moment.") from exc


class MerchantCoupons:
    """A WeChat Pay 商家券 sent to the winner's openid and used when paying in store."""

    kind = "merchant_coupon"
    label = msg("WeChat Pay merchant coupon")
    note = msg("A 商家券 of your WeChat Pay merchant: put the stock_id (code mode MERCHANT_API) in card_id.")
    stocking = GENERATED
    first_step = "claim"
    uses_card_id = False
    texts = {
        "claim_to_claim": msg("Not yet received"),
        "claim_to_use": msg("To use in store"),
        "claim_redeemed": msg("Redeemed"),
        "claim_expired": msg("Expired"),
        "step_show_in_store": msg("Show the code at the store"),
    }

    def problems(self, tier: PrizeTier, available_codes: int, cards: Mapping[str, str]) -> dict[str, Message]:
        """The tier names its stock (the stock_id, in card_id)."""
        return {} if (tier.card_id or "").strip() else {"card_id": msg("Enter the stock_id of the merchant coupons.")}

    def stock(self, ctx: Context, tier: PrizeTier, codes: Sequence[str]) -> list[str]:
        """Every generated code may be awarded: it becomes the coupon's code when sent."""
        return list(codes)

    def status(self, ctx: Context, coupon: CouponCode, state: str) -> ClaimStatus:
        """Claimed by a tap (then sent to WeChat Pay; a failed send is tapped again), then used in store."""
        claimed = ctx.session.scalar(select(Claim.id).where(Claim.coupon_id == coupon.id)) is not None
        if not claimed or state == "issued":
            return ClaimStatus("to_claim", "claim")
        return in_store_status(state)

    def claimed(self, ctx: Context, coupon: CouponCode) -> None:
        """Send the approved claim's coupon to the winner's WeChat Pay coupons; the code is then ``added``."""
        account = coupon.tier.campaign.account
        client = _client(ctx, coupon)
        _call(client.send, coupon.tier.card_id, account.app_id, coupon.openid, coupon.code, f"send-{coupon.code}")
        ctx.session.execute(
            update(CouponCode)
            .where(CouponCode.id == coupon.id, CouponCode.state == "issued")
            .values(state="added", added_at=ctx.clock.now())
            .execution_options(synchronize_session=False)
        )
        ctx.session.commit()

    def deliver(self, ctx: Context, coupon: CouponCode) -> dict[str, Any]:
        """The coupon's code, also in the winner's WeChat Pay coupons."""
        return {"kind": self.kind, "code": coupon.code, "display": coupon.code, "card_id": None}

    def details(self, ctx: Context, coupon: CouponCode) -> dict[str, Any]:
        """The code is all there is."""
        return {}

    def redeem(self, ctx: Context, coupon: CouponCode) -> None:
        """``coupons/use`` in WeChat Pay; a coupon used before is AlreadyRedeemed."""
        account = coupon.tier.campaign.account
        client = _client(ctx, coupon)
        _call(client.use, coupon.tier.card_id, account.app_id, coupon.openid, coupon.code, f"use-{coupon.code}")

    def lookup(self, ctx: Context, coupon: CouponCode) -> dict[str, Any]:
        """The platform's record (WeChat Pay's own lookup is not wrapped)."""
        return {"state": coupon.state}

    def expire(self, ctx: Context, coupon: CouponCode) -> None:
        """WeChat Pay expires coupons by the stock's own dates."""


register(MerchantCoupons())
