"""Reading campaigns for the pages, the worker and the CLI."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from ..errors import NotFound
from .messages import msg
from .models import Campaign


def get_by_slug(session: Session, slug: str, *, with_tiers: bool = False) -> Campaign:
    """The campaign ``slug``; :class:`NotFound` when there is none or it is archived.

    ``with_tiers`` loads its prize tiers in the same query (the game page shows them all).
    """
    query = select(Campaign).where(Campaign.slug == slug)
    if with_tiers:
        query = query.options(joinedload(Campaign.tiers))
    campaign = session.scalars(query).unique().first()
    if campaign is None or campaign.archived:
        raise NotFound(msg("This campaign does not exist."))
    return campaign


def get_with_record(session: Session, slug: str) -> Campaign:
    """The published campaign ``slug``, archived or not: its rules, commitment and ledger stay public.

    Archiving hides a campaign from lists and its game page, but anyone must be able to
    recompute its draws for as long as its results are kept. :class:`NotFound` for drafts.
    """
    campaign = session.scalar(select(Campaign).where(Campaign.slug == slug))
    if campaign is None or campaign.status == "draft":
        raise NotFound(msg("This campaign does not exist."))
    return campaign
