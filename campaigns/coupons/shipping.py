"""Shipped prizes: the winner gives an address, staff ship the parcel, the winner follows it.

Each won prize has a platform-generated code that names its claim (the draw takes it
from the pool like any code). The address is sealed with the application key and
editable until the prize ships; staff export the addresses to a CSV and import the
carriers' tracking numbers (``shipping_files.py``). Addresses are erased a set number
of days after the campaign ends (``ADDRESS_RETENTION_DAYS``, default 90).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ..catalog.messages import Message, msg
from ..catalog.models import Campaign, PrizeTier
from ..context import Context
from ..errors import Conflict, CouponRefused
from . import addresses, fraud
from .issuers import GENERATED, ClaimStatus, register
from .models import CouponCode, Shipment

RETENTION_DAYS = 90


class Shipping:
    """A physical prize, sent to the winner's address."""

    kind = "shipping"
    label = msg("Shipped to an address")
    note = msg("A physical prize: the winner gives an address, you export them and import the tracking numbers.")
    stocking = GENERATED
    first_step = "give_address"
    uses_card_id = False
    texts = {
        "claim_address_needed": msg("Address needed"),
        "claim_address_given": msg("Waiting to ship"),
        "claim_shipped": msg("Shipped"),
        "step_give_address": msg("Give your shipping address"),
        "step_edit_address": msg("Check or change the address"),
        "step_track": msg("See the tracking number"),
    }

    def problems(self, tier: PrizeTier, available_codes: int, cards: Mapping[str, str]) -> dict[str, Message]:
        """Nothing to prepare: the platform makes a claim code per prize at publish."""
        return {}

    def stock(self, ctx: Context, tier: PrizeTier, codes: Sequence[str]) -> list[str]:
        """Every generated code may be awarded."""
        return list(codes)

    def status(self, ctx: Context, coupon: CouponCode, state: str) -> ClaimStatus:
        """Address needed, then waiting to ship (still editable), then shipped (held or refused claims aside)."""
        shipment = shipment_of(ctx.session, coupon)
        if shipment is None:
            return ClaimStatus("address_needed", "give_address")
        if shipment.status == "shipped":
            return ClaimStatus("shipped", "track")
        return ClaimStatus("address_given", "edit_address")

    def deliver(self, ctx: Context, coupon: CouponCode) -> dict[str, Any]:
        """The claim's code names it; the claim page asks for the address."""
        return {"kind": self.kind, "code": coupon.code, "display": coupon.code, "card_id": None}

    def details(self, ctx: Context, coupon: CouponCode) -> dict[str, Any]:
        """The address, the parcel's carrier and tracking number, and whether the address may change."""
        return claim_view(ctx, coupon)

    def redeem(self, ctx: Context, coupon: CouponCode) -> None:
        """A shipped prize is never redeemed in a store."""
        raise CouponRefused("This prize is shipped to the winner, not redeemed in a store.")

    def lookup(self, ctx: Context, coupon: CouponCode) -> dict[str, Any]:
        """The shipment's state."""
        shipment = shipment_of(ctx.session, coupon)
        return {"state": shipment.status if shipment else "address_needed"}

    def expire(self, ctx: Context, coupon: CouponCode) -> None:
        """Nothing to withdraw elsewhere."""


def shipment_of(session: Session, coupon: CouponCode) -> Shipment | None:
    """The shipment of a won prize, if its winner gave an address."""
    return session.scalar(select(Shipment).where(Shipment.coupon_id == coupon.id))


def address_of(ctx: Context, shipment: Shipment | None) -> addresses.Address | None:
    """The shipment's address, decrypted; None when none was given or it was erased."""
    if shipment is None or not shipment.address_sealed:
        return None
    return addresses.Address.from_json(ctx.secrets.open(shipment.address_sealed))


def save_address(ctx: Context, coupon: CouponCode, raw: Any, client_address: str = "") -> Shipment:
    """Record or change the winner's address until the prize ships; the first one is the claim. Commits."""
    if coupon.tier.coupon_kind != Shipping.kind:
        raise CouponRefused(msg("This prize is not shipped."))
    address = addresses.parse(raw)
    shipment = shipment_of(ctx.session, coupon)
    if shipment is None:
        fraud.require_claimable(fraud.screen(ctx, coupon, client_address))
    now = ctx.clock.now()
    if shipment is not None and (shipment.status == "shipped" or shipment.erased_at is not None):
        raise Conflict(msg("This prize has shipped; the address can no longer change."))
    sealed = ctx.secrets.seal(address.to_json())
    if shipment is None:
        shipment = Shipment(
            coupon_id=coupon.id,
            campaign_id=coupon.tier.campaign_id,
            openid=coupon.openid or "",
            address_sealed=sealed,
            created_at=now,
            updated_at=now,
        )
        ctx.session.add(shipment)
    else:
        # Conditional, so an import marking it shipped meanwhile is never overwritten.
        changed = ctx.session.execute(
            update(Shipment)
            .where(Shipment.id == shipment.id, Shipment.status == "address_given")
            .values(address_sealed=sealed, updated_at=now)
            .execution_options(synchronize_session=False)
        ).rowcount
        if not changed:
            ctx.session.rollback()
            raise Conflict(msg("This prize has shipped; the address can no longer change."))
    ctx.session.commit()
    ctx.session.refresh(shipment)
    return shipment


def claim_view(ctx: Context, coupon: CouponCode) -> dict[str, Any]:
    """What the winner's claim page shows of a shipped prize."""
    shipment = shipment_of(ctx.session, coupon)
    address = address_of(ctx, shipment)
    return {
        "address": address,
        "status": shipment.status if shipment else None,
        "carrier": shipment.carrier if shipment else "",
        "tracking_number": shipment.tracking_number if shipment else "",
        "editable": shipment is None or (shipment.status == "address_given" and shipment.erased_at is None),
    }


def erase_due(session: Session, clock: Any, days: int = RETENTION_DAYS) -> int:
    """Erase the addresses of campaigns that ended more than ``days`` ago; return how many. Commits."""
    cutoff = clock.now() - timedelta(days=days)
    ended = select(Campaign.id).where(Campaign.ends_at < cutoff)
    erased = session.execute(
        update(Shipment)
        .where(Shipment.campaign_id.in_(ended), Shipment.erased_at.is_(None))
        .values(address_sealed="", erased_at=clock.now())
        .execution_options(synchronize_session=False)
    ).rowcount
    session.commit()
    return erased


register(Shipping())
