"""Cash red packets (现金红包): WeChat Pay sends the winner money, claimed in WeChat.

Each tier has an amount: its declared value, or a random amount in its committed range,
drawn from the draw's digest (``fairness.red_packet_amount``). WeChat's default rules allow
¥1 to ¥200 per red packet, checked at publish. The payout (``payouts.py``) runs as an RQ job
once the win is in the ledger, under an ``mch_billno`` derived from the campaign and ``seq``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import select

from ..catalog.messages import Message, msg
from ..catalog.models import PrizeTier
from ..context import Context
from ..errors import CouponRefused
from .issuers import GENERATED, ClaimStatus, register
from .models import Claim, CouponCode, RedPacket

# WeChat Pay's default limits on one cash red packet, in fen.
MIN_FEN, MAX_FEN = 100, 200_00
# The claim's state by the payout's status.
STATES = {
    "pending": "paying",
    "unknown": "paying",
    "SENT": "sent",
    "RECEIVED": "received",
    "REFUND": "refunded",
    "FAILED": "failed",
}


def amount_range(tier: PrizeTier) -> tuple[int, int]:
    """The fen a red packet of ``tier`` may hold: its random range, or exactly its value."""
    if tier.amount_min_minor is not None and tier.amount_max_minor is not None:
        return tier.amount_min_minor, tier.amount_max_minor
    return tier.value_minor or 0, tier.value_minor or 0


class RedPackets:
    """WeChat Pay cash: sent to the winner's openid, opened in WeChat."""

    kind = "red_packet"
    label = msg("WeChat Pay red packet")
    note = msg("Cash from the account's WeChat Pay merchant: ¥1 to ¥200 per red packet, a fixed amount or a range.")
    stocking = GENERATED
    first_step = "claim"
    uses_card_id = False
    texts = {
        "claim_to_claim": msg("Not yet received"),
        "claim_paying": msg("Being sent"),
        "claim_sent": msg("Sent: open it in WeChat"),
        "claim_received": msg("Received"),
        "claim_refunded": msg("Not opened in 24 hours; returned"),
        "claim_failed": msg("Could not be sent; the shop will contact you"),
        "step_open_in_wechat": msg("Open the red packet in WeChat's chat with the account"),
    }

    def problems(self, tier: PrizeTier, available_codes: int, cards: Mapping[str, str]) -> dict[str, Message]:
        """The amount (or both ends of its range) is ¥1 to ¥200, the lower end first; CNY only."""
        low, high = amount_range(tier)
        field = "value" if tier.amount_min_minor is None else "amount_min"
        if tier.currency != "CNY":
            return {"currency": msg("A red packet is paid in CNY.")}
        if not (MIN_FEN <= low <= MAX_FEN and MIN_FEN <= high <= MAX_FEN):
            return {field: msg("A red packet holds ¥1 to ¥200 (WeChat Pay's rules).")}
        if low > high:
            return {"amount_max": msg("The range must end at or above its start.")}
        return {}

    def stock(self, ctx: Context, tier: PrizeTier, codes: Sequence[str]) -> list[str]:
        """Every generated code may be awarded."""
        return list(codes)

    def status(self, ctx: Context, coupon: CouponCode, state: str) -> ClaimStatus:
        """Claimed by a tap, then being sent, sent (open it in WeChat), received, refunded or failed."""
        if ctx.session.scalar(select(Claim.id).where(Claim.coupon_id == coupon.id)) is None:
            return ClaimStatus("to_claim", "claim")
        packet = ctx.session.scalar(select(RedPacket).where(RedPacket.coupon_id == coupon.id))
        state = STATES[packet.status] if packet else "paying"
        return ClaimStatus(state, "open_in_wechat" if state in ("paying", "sent") else "none")

    def deliver(self, ctx: Context, coupon: CouponCode) -> dict[str, Any]:
        """The claim's code names it; the money arrives in WeChat."""
        return {"kind": self.kind, "code": coupon.code, "display": coupon.code, "card_id": None}

    def details(self, ctx: Context, coupon: CouponCode) -> dict[str, Any]:
        """The payout: its amount and billno once prepared."""
        packet = ctx.session.scalar(select(RedPacket).where(RedPacket.coupon_id == coupon.id))
        return {"packet": packet}

    def redeem(self, ctx: Context, coupon: CouponCode) -> None:
        """Cash is never redeemed in a store."""
        raise CouponRefused("This prize is cash sent in WeChat, not redeemed in a store.")

    def lookup(self, ctx: Context, coupon: CouponCode) -> dict[str, Any]:
        """The payout's status."""
        packet = ctx.session.scalar(select(RedPacket).where(RedPacket.coupon_id == coupon.id))
        return {"state": packet.status if packet else "pending"}

    def expire(self, ctx: Context, coupon: CouponCode) -> None:
        """WeChat refunds an unopened red packet itself after 24 hours."""


register(RedPackets())
