"""The one interface every claim kind implements, and the registry of kinds: the only list of them.

A prize tier's ``coupon_kind`` names its claim kind (its issuer). The draw engine takes
a code from the tier's Redis pool atomically with the award, so every won prize has a
code that names its claim; an issuer owns the rest of the claim's life: stocking the
pool (uploaded codes, generated ones, or either), the publish checks of its tiers, what
the follower sees and must do next, redemption, looking the claim up, and expiry.

Adding a kind is one module that implements :class:`Issuer` and calls :func:`register`,
listed once in :data:`MODULES`, plus its claim template (``templates/claims/<kind>.html``)
and its simulator stand-in. Everything else (the campaign document's enum, the API's
OpenAPI document, the console's picker, the follower's texts, the code import) reads
the registry. ``NO_CLAIM`` is not a kind: it marks a fallback tier that gives nothing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import import_module
from typing import Any, Protocol

from ..catalog.messages import Message, msg
from ..catalog.models import NO_CLAIM, PrizeTier
from ..context import Context
from ..errors import InvalidInput
from .models import CouponCode

# The claim-kind modules, each registering one issuer on import.
MODULES = ("platform_codes", "wechat_cards", "shipping", "red_packets", "merchant_coupons")
# How a kind's pool is stocked: codes the marketer uploads, codes the platform generates,
# or generated only when the marketer uploaded none.
UPLOADED, GENERATED, UPLOADED_OR_GENERATED = "uploaded", "generated", "uploaded_or_generated"
# What WeChat said of a card_id looked up before the publish checks (``campaigns.wechat.cards``).
CARD_UNKNOWN, CARD_UNCHECKED = "unknown", "unchecked"


@dataclass(frozen=True)
class ClaimStatus:
    """Where a won prize stands (``state``) and what its winner does next (``step``)."""

    state: str
    step: str


class Issuer(Protocol):
    """A claim kind: where codes come from, how the prize reaches the follower, how it is used."""

    kind: str
    label: str
    # Shown next to the choice in the console (e.g. that a WeChat feature is needed).
    note: str
    stocking: str
    uses_card_id: bool
    # What a winner does first, shown on the draw's result screen.
    first_step: str
    # The follower's words for this kind's states and steps ("state_<s>", "step_<s>").
    texts: Mapping[str, Message]

    def problems(self, tier: PrizeTier, available_codes: int, cards: Mapping[str, str]) -> dict[str, Message]:
        """What stops ``tier`` from being published, by field of the prize row."""

    def stock(self, ctx: Context, tier: PrizeTier, codes: Sequence[str]) -> list[str]:
        """Prepare ``codes`` for the tier's pool on the issuer's side; return the codes that may be awarded."""

    def status(self, ctx: Context, coupon: CouponCode, state: str) -> ClaimStatus:
        """The claim's state and next step, given the code's effective ``state``."""

    def deliver(self, ctx: Context, coupon: CouponCode) -> dict[str, Any]:
        """What the prize page needs to hand the prize to the follower."""

    def details(self, ctx: Context, coupon: CouponCode) -> dict[str, Any]:
        """What the claim page shows beyond the state (an address, a tracking number, a payout)."""

    def redeem(self, ctx: Context, coupon: CouponCode) -> None:
        """Mark the coupon used on the issuer's platform; raise AlreadyRedeemed if it already was."""

    def lookup(self, ctx: Context, coupon: CouponCode) -> dict[str, Any]:
        """The issuer's own view of the coupon (remote state), for staff and reconciliation."""

    def expire(self, ctx: Context, coupon: CouponCode) -> None:
        """Withdraw an expired coupon on the issuer's platform."""

    # Optional: ``claimed(ctx, coupon)`` runs when the winner's claim is approved (a merchant
    # coupon is sent to the openid then).


ISSUERS: dict[str, Issuer] = {}


def register(issuer: Issuer) -> Issuer:
    """Add ``issuer`` to the registry under its kind."""
    ISSUERS[issuer.kind] = issuer
    return issuer


def _load() -> None:
    # The issuer modules register themselves on import; importing here avoids a cycle.
    if len(ISSUERS) < len(MODULES):
        for name in MODULES:
            import_module(f"{__package__}.{name}")


def issuer_for(kind: str) -> Issuer:
    """The issuer of a tier's ``coupon_kind``."""
    _load()
    try:
        return ISSUERS[kind]
    except KeyError:
        raise InvalidInput(f"Prizes of kind {kind!r} carry no coupon.") from None


def kinds() -> list[str]:
    """Every claim kind, in registration order."""
    _load()
    return list(ISSUERS)


def document_kinds() -> list[str]:
    """What a prize's ``coupon`` may say in a campaign document: a kind, or ``none`` for the fallback."""
    return [NO_CLAIM, *kinds()]


def choices() -> list[dict[str, str]]:
    """The claim kinds a marketer can choose, with their labels and notes, for the console."""
    _load()
    return [{"kind": i.kind, "label": i.label, "note": i.note} for i in ISSUERS.values()]


def accepts_uploads(kind: str) -> bool:
    """Whether the marketer may upload codes for prizes of ``kind``."""
    _load()
    issuer = ISSUERS.get(kind)
    return issuer is not None and issuer.stocking in (UPLOADED, UPLOADED_OR_GENERATED)


def generated_count(kind: str, uploaded: int, needed: int) -> int:
    """How many codes the platform makes for a tier of ``kind`` that has ``uploaded`` codes and needs ``needed``."""
    _load()
    issuer = ISSUERS.get(kind)
    if issuer is None or issuer.stocking == UPLOADED:
        return 0
    if issuer.stocking == UPLOADED_OR_GENERATED and uploaded:
        return 0
    return max(needed - uploaded, 0)


def first_step(kind: str) -> str:
    """What the winner of a prize of ``kind`` does first ("none" for no claim)."""
    _load()
    issuer = ISSUERS.get(kind)
    return issuer.first_step if issuer else "none"


# The fraud checks' words, whatever the kind (campaigns/coupons/fraud.py).
CLAIM_CHECK_TEXTS = {
    "claim_in_review": msg("Being checked by the shop"),
    "claim_refused": msg("Cannot be claimed; please contact the shop"),
    "claim_void": msg("Withdrawn after review"),
    "step_claim": msg("Tap to receive it"),
}


def follower_texts() -> dict[str, Message]:
    """Every kind's follower-facing texts, for the game page's strings."""
    _load()
    texts: dict[str, Message] = dict(CLAIM_CHECK_TEXTS)
    for issuer in ISSUERS.values():
        texts.update(issuer.texts)
    return texts
