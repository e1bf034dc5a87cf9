"""Coupon codes of a prize tier, the stores that redeem them, and every redemption and refusal."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..base import Base
from ..catalog.models import OfficialAccount, PrizeTier, utcnow

# available: in the tier's pool; issued: won, not yet in a wallet; added: in the WeChat wallet;
# redeemed: used in a store (or consumed in WeChat); expired: past its validity unused.
COUPON_STATES = ("available", "issued", "added", "redeemed", "expired")
REDEEMABLE_STATES = ("issued", "added")


class CouponCode(Base):
    """One code of a tier's pool; ``state`` follows it from upload to redemption."""

    __tablename__ = "coupon_code"
    __table_args__ = (UniqueConstraint("code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tier_id: Mapped[int] = mapped_column(ForeignKey("prize_tier.id"), index=True)
    code: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(16), default="available")
    openid: Mapped[str | None] = mapped_column(String(64), index=True)
    draw_seq: Mapped[int | None]
    issued_at: Mapped[datetime | None]
    # A code's own validity (uploaded batches may carry one); unset means the tier's.
    valid_from: Mapped[datetime | None]
    valid_until: Mapped[datetime | None]
    added_at: Mapped[datetime | None]
    redeemed_at: Mapped[datetime | None]
    redeemed_by: Mapped[str | None] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    tier: Mapped[PrizeTier] = relationship()


class Store(Base):
    """A shop of an Official Account's brand where coupons are redeemed."""

    __tablename__ = "store"
    __table_args__ = (UniqueConstraint("account_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("official_account.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    account: Mapped[OfficialAccount] = relationship()


class StoreLink(Base):
    """A revocable link that lets a store's staff redeem without a console login.

    Only a SHA-256 of the link's token is stored, so a database leak does not leak links.
    """

    __tablename__ = "store_link"

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("store.id"), index=True)
    # When set, the link redeems only this campaign's coupons.
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("campaign.id"))
    label: Mapped[str] = mapped_column(String(120), default="")
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]

    store: Mapped[Store] = relationship()


class Redemption(Base):
    """The one redemption of a coupon: where, by whom, when."""

    __tablename__ = "redemption"
    __table_args__ = (UniqueConstraint("coupon_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    coupon_id: Mapped[int] = mapped_column(ForeignKey("coupon_code.id"))
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"), index=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("store.id"), index=True)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    store_link_id: Mapped[int | None] = mapped_column(ForeignKey("store_link.id"))
    redeemed_at: Mapped[datetime]

    store: Mapped[Store] = relationship()


class RefusalLog(Base):
    """A refused lookup or redemption, kept for the operators."""

    __tablename__ = "refusal_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(index=True)
    reason: Mapped[str] = mapped_column(String(32))
    # What was typed or scanned, cut to the column's size.
    code_entered: Mapped[str] = mapped_column(String(64))
    coupon_id: Mapped[int | None] = mapped_column(ForeignKey("coupon_code.id"))
    store_id: Mapped[int | None] = mapped_column(ForeignKey("store.id"))
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    store_link_id: Mapped[int | None] = mapped_column(ForeignKey("store_link.id"))

    store: Mapped[Store | None] = relationship()


# address_given: the winner gave an address, editable; shipped: the carrier has it (no more edits).
SHIPMENT_STATES = ("address_given", "shipped")


class Shipment(Base):
    """A shipped prize: its winner's address (encrypted at rest) and, once sent, the carrier's tracking."""

    __tablename__ = "shipment"
    __table_args__ = (UniqueConstraint("coupon_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    coupon_id: Mapped[int] = mapped_column(ForeignKey("coupon_code.id"))
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"), index=True)
    openid: Mapped[str] = mapped_column(String(64))
    # The address as sealed JSON (campaigns.crypto); emptied when erased after the campaign.
    address_sealed: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default="address_given")
    carrier: Mapped[str] = mapped_column(String(32), default="")
    tracking_number: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    shipped_at: Mapped[datetime | None]
    erased_at: Mapped[datetime | None]

    coupon: Mapped[CouponCode] = relationship()


class MerchantAccount(Base):
    """An Official Account's WeChat Pay merchant: its mch_id, and its API key and certificate sealed at rest."""

    __tablename__ = "merchant_account"
    __table_args__ = (UniqueConstraint("account_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("official_account.id"))
    mch_id: Mapped[str] = mapped_column(String(32))
    # The name on the red packet (send_name): the brand, at most 10 characters on WeChat's side.
    send_name: Mapped[str] = mapped_column(String(32), default="")
    api_key_sealed: Mapped[str] = mapped_column(Text)
    # The merchant's API certificate and its private key (PEM), sealed; sendredpack needs both.
    cert_sealed: Mapped[str] = mapped_column(Text, default="")
    key_sealed: Mapped[str] = mapped_column(Text, default="")
    # The API certificate's serial number, which API v3 requests (merchant coupons) name.
    cert_serial: Mapped[str] = mapped_column(String(64), default="")
    sign_type: Mapped[str] = mapped_column(String(16), default="MD5")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


# pending: waiting to be sent (or to be retried at next_attempt_at); unknown: the send timed out and
# is retried under the same mch_billno; SENT, RECEIVED, REFUND, FAILED: WeChat Pay's own words.
RED_PACKET_STATES = ("pending", "unknown", "SENT", "RECEIVED", "REFUND", "FAILED")


class RedPacket(Base):
    """The cash payout of one won red-packet prize; ``mch_billno`` is derived from the campaign and ``seq``."""

    __tablename__ = "red_packet"
    __table_args__ = (UniqueConstraint("coupon_id"), UniqueConstraint("mch_billno"))

    id: Mapped[int] = mapped_column(primary_key=True)
    coupon_id: Mapped[int] = mapped_column(ForeignKey("coupon_code.id"))
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"), index=True)
    seq: Mapped[int]
    openid: Mapped[str] = mapped_column(String(64))
    amount_minor: Mapped[int]
    mch_billno: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime | None]
    last_error: Mapped[str] = mapped_column(String(200), default="")
    send_listid: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    coupon: Mapped[CouponCode] = relationship()


class BlockedOpenid(Base):
    """A follower of an Official Account whose prizes are never paid or shipped (a fraud ring's account)."""

    __tablename__ = "blocked_openid"
    __table_args__ = (UniqueConstraint("account_id", "openid"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("official_account.id"), index=True)
    openid: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(String(120), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


# approved: it may be paid or shipped; held: waiting in the review queue; refused: the checks
# stopped it (blacklist, address cap); void: rejected by a reviewer, its stock returned.
CLAIM_STATES = ("approved", "held", "refused", "void")


class Claim(Base):
    """The fraud checks' decision on one won prize, made when its winner claims it (before any payout)."""

    __tablename__ = "claim"
    __table_args__ = (UniqueConstraint("coupon_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    coupon_id: Mapped[int] = mapped_column(ForeignKey("coupon_code.id"))
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"), index=True)
    openid: Mapped[str] = mapped_column(String(64))
    client_address: Mapped[str] = mapped_column(String(45), default="")
    status: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(String(32), default="")
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    decided_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    coupon: Mapped[CouponCode] = relationship()
