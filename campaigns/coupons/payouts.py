"""Paying won red packets through WeChat Pay (``sendredpack``) and reading their status (``gethbinfo``).

- The payout of a win is prepared once the win is in the ledger (its code ``issued``): its
  amount is the tier's value or, for a range, drawn from the draw's digest; its
  ``mch_billno`` is derived from the merchant, the campaign and the ``seq``, so no retry,
  however it happens, can pay twice (WeChat Pay pays one billno once).
- One worker at a time sends a billno (a Redis lock); a second run of the same job finds
  the lock or the finished payout and sends nothing.
- Insufficient funds, WeChat's system errors and its frequency limits are retried with
  backoff; a send that timed out is ``unknown`` and is looked up, then re-sent under the
  same billno; any other refusal is ``FAILED`` with WeChat's words, shown in the console.
"""

from __future__ import annotations

import json
import secrets as secrets_mod
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import requests
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from wechatpy.exceptions import WeChatPayException

from ..catalog.models import PrizeTier, RulesVersion
from ..draws import fairness
from ..draws.models import Draw
from ..keys import payout_lock
from ..wechat.pay import merchant_of, pay_client
from .models import Claim, CouponCode, RedPacket
from .red_packets import RedPackets, amount_range

RETRYABLE = ("NOTENOUGH", "SYSTEMERROR", "FREQ_LIMIT", "SEND_FAILED")
BACKOFF_S = (30, 120, 600, 1800, 3600)
LOCK_MS = 60_000
FINAL = ("RECEIVED", "REFUND", "FAILED")
# gethbinfo's status words, as the payout records them (RFUND_ING is WeChat's own spelling).
HB_STATUS = {"SENDING": "SENT", "SENT": "SENT", "RECEIVED": "RECEIVED", "RFUND_ING": "REFUND", "REFUND": "REFUND"}
HB_STATUS["FAILED"] = "FAILED"


@dataclass
class PayContext:
    """What a payout works with."""

    session: Any
    redis: Any
    clock: Any
    secrets: Any
    settings: dict


def mch_billno(mch_id: str, campaign_id: int, seq: int) -> str:
    """WeChat Pay's order number of a win: the merchant id, then the campaign and ``seq`` (28 characters)."""
    return f"{mch_id}{campaign_id:08d}{seq:010d}"[:28]


def draw_amount(session, coupon: CouponCode, secrets) -> int:
    """The fen this win pays: the tier's value, or the amount its committed range and the draw's digest give."""
    tier = coupon.tier
    low, high = amount_range(tier)
    if low == high:
        return low
    draw = session.scalar(select(Draw).where(Draw.campaign_id == tier.campaign_id, Draw.seq == coupon.draw_seq))
    rules = session.scalar(
        select(RulesVersion).where(
            RulesVersion.campaign_id == tier.campaign_id, RulesVersion.version == draw.rules_version
        )
    )
    entry = next(p for p in json.loads(rules.rules_json)["prizes"] if p["tier"] == tier.tier)
    digest = fairness.digest(secrets.open(tier.campaign.server_seed_sealed), draw.client_seed, draw.nonce)
    return fairness.red_packet_amount(digest, entry["amount"])


def due(ctx: PayContext) -> list[int]:
    """The red packets to send now: won, in the ledger and claimed past the fraud checks; new or due for a retry."""
    now = ctx.clock.now()
    fresh = ctx.session.scalars(
        select(CouponCode.id)
        .join(PrizeTier, CouponCode.tier_id == PrizeTier.id)
        .join(Claim, (Claim.coupon_id == CouponCode.id) & (Claim.status == "approved"))
        .outerjoin(RedPacket, RedPacket.coupon_id == CouponCode.id)
        .where(PrizeTier.coupon_kind == RedPackets.kind, CouponCode.state != "available", RedPacket.id.is_(None))
    )
    retries = ctx.session.scalars(
        select(RedPacket.coupon_id).where(
            RedPacket.status.in_(("pending", "unknown")), RedPacket.next_attempt_at <= now
        )
    )
    return sorted({*fresh, *retries})


def _prepare(ctx: PayContext, coupon: CouponCode, mch_id: str) -> RedPacket:
    packet = ctx.session.scalar(select(RedPacket).where(RedPacket.coupon_id == coupon.id))
    if packet is not None:
        return packet
    now = ctx.clock.now()
    packet = RedPacket(
        coupon_id=coupon.id,
        campaign_id=coupon.tier.campaign_id,
        seq=coupon.draw_seq,
        openid=coupon.openid,
        amount_minor=draw_amount(ctx.session, coupon, ctx.secrets),
        mch_billno=mch_billno(mch_id, coupon.tier.campaign_id, coupon.draw_seq),
        next_attempt_at=now,
        created_at=now,
        updated_at=now,
    )
    ctx.session.add(packet)
    try:
        ctx.session.commit()
    except IntegrityError:
        # Another worker prepared it first: use theirs.
        ctx.session.rollback()
        packet = ctx.session.scalar(select(RedPacket).where(RedPacket.coupon_id == coupon.id))
    return packet


def _retry_later(ctx: PayContext, packet: RedPacket, status: str, error: str) -> None:
    delay = BACKOFF_S[min(packet.attempts - 1, len(BACKOFF_S) - 1)]
    packet.status, packet.last_error = status, error[:200]
    packet.next_attempt_at = ctx.clock.now() + timedelta(seconds=delay)


def _send(ctx: PayContext, client, packet: RedPacket, merchant, campaign_name: str) -> None:
    packet.attempts += 1
    data = {
        "wxappid": client.appid,
        "re_openid": packet.openid,
        "total_amount": packet.amount_minor,
        "send_name": merchant.send_name,
        "act_name": campaign_name[:32],
        "wishing": "恭喜中奖",
        "remark": "活动奖品",
        "client_ip": ctx.settings.get("WECHAT_PAY_CLIENT_IP", "127.0.0.1"),
        "total_num": 1,
        "mch_billno": packet.mch_billno,
    }
    try:
        if merchant.sign_type == "HMAC-SHA256":
            answer = client.post("mmpaymkttransfers/sendredpack", data={**data, "sign_type": "HMAC-SHA256"})
        else:
            answer = client.redpack.send(
                packet.openid, packet.amount_minor, data["send_name"], data["act_name"], data["wishing"],
                data["remark"], client_ip=data["client_ip"], out_trade_no=packet.mch_billno,
            )  # fmt: skip
    except WeChatPayException as exc:
        code = exc.errcode or exc.return_code or "?"
        if code in RETRYABLE:
            _retry_later(ctx, packet, "pending", f"{code}: {exc.errmsg or exc.return_msg or ''}")
        else:
            packet.status, packet.last_error = "FAILED", f"{code}: {exc.errmsg or exc.return_msg or ''}"[:200]
        return
    except (requests.RequestException, OSError) as exc:
        # Sent or not, nobody knows: look it up next time, and re-send only under the same billno.
        _retry_later(ctx, packet, "unknown", f"no answer: {type(exc).__name__}")
        return
    packet.status, packet.last_error = "SENT", ""
    packet.send_listid = str(answer.get("send_listid") or "")
    packet.next_attempt_at = None


def pay(ctx: PayContext, coupon_id: int) -> RedPacket | None:
    """Send the red packet of one won coupon, once; return its payout (None when another worker has it)."""
    coupon = ctx.session.get(CouponCode, coupon_id)
    if coupon is None or coupon.state == "available" or coupon.tier.coupon_kind != RedPackets.kind:
        return None
    approved = select(Claim.id).where(Claim.coupon_id == coupon.id, Claim.status == "approved")
    if ctx.session.scalar(approved) is None:
        return None
    account = coupon.tier.campaign.account
    merchant = merchant_of(ctx.session, account.id)
    if merchant is None:
        return None
    packet = _prepare(ctx, coupon, merchant.mch_id)
    token = secrets_mod.token_hex(8)
    if not ctx.redis.set(payout_lock(packet.mch_billno), token, nx=True, px=LOCK_MS):
        return None
    try:
        ctx.session.refresh(packet)
        if packet.status not in ("pending", "unknown"):
            return packet
        with pay_client(ctx.settings, ctx.secrets, account, merchant) as client:
            if packet.status == "unknown" and _looked_up(client, packet):
                packet.updated_at = ctx.clock.now()
                ctx.session.commit()
                return packet
            _send(ctx, client, packet, merchant, coupon.tier.campaign.name)
        packet.updated_at = ctx.clock.now()
        ctx.session.commit()
        return packet
    finally:
        if ctx.redis.get(payout_lock(packet.mch_billno)) == token:
            ctx.redis.delete(payout_lock(packet.mch_billno))


def _looked_up(client, packet: RedPacket) -> bool:
    """Whether WeChat Pay knows the billno (then its status is adopted); False to send it."""
    try:
        answer = client.redpack.query(packet.mch_billno)
    except WeChatPayException as exc:
        if exc.errcode == "NOT_FOUND":
            return False
        raise
    packet.status = HB_STATUS.get(str(answer.get("status")), "SENT")
    packet.next_attempt_at = None
    return True


def reconcile(ctx: PayContext) -> int:
    """Read the status of every sent red packet with ``gethbinfo``; return how many changed. Commits."""
    changed = 0
    sent = ctx.session.scalars(select(RedPacket).where(RedPacket.status == "SENT")).all()
    for packet in sent:
        coupon = packet.coupon
        account = coupon.tier.campaign.account
        merchant = merchant_of(ctx.session, account.id)
        try:
            with pay_client(ctx.settings, ctx.secrets, account, merchant) as client:
                status = HB_STATUS.get(str(client.redpack.query(packet.mch_billno).get("status")), "SENT")
        except (WeChatPayException, requests.RequestException, OSError):
            continue
        if status != packet.status:
            packet.status, packet.updated_at = status, ctx.clock.now()
            changed += 1
    ctx.session.commit()
    return changed


def payouts_of(session, campaign_id: int) -> list[RedPacket]:
    """A campaign's red packets, in ``seq`` order, for the console (failures with WeChat's words)."""
    return list(session.scalars(select(RedPacket).where(RedPacket.campaign_id == campaign_id).order_by(RedPacket.seq)))
