"""The audit log: every configuration change, who made it, when, and the values before and after."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from .models import AuditEntry, Staff


def record(
    session: Session,
    staff: Staff | None,
    action: str,
    now: datetime,
    *,
    account_id: int | None = None,
    campaign_id: int | None = None,
    before: Any = None,
    after: Any = None,
) -> AuditEntry:
    """Add one entry in the caller's transaction, so the change and its record commit together."""
    entry = AuditEntry(
        at=now,
        staff_id=staff.id if staff else None,
        staff_email=staff.email if staff else "",
        account_id=account_id,
        campaign_id=campaign_id,
        action=action,
        before=before,
        after=after,
    )
    session.add(entry)
    return entry


def entries(
    session: Session, *, account_ids: set[int] | None, campaign_id: int | None = None, limit: int = 200
) -> list[AuditEntry]:
    """The newest entries visible to someone working on ``account_ids`` (``None``: every account)."""
    query = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)
    if campaign_id is not None:
        query = query.where(AuditEntry.campaign_id == campaign_id)
    if account_ids is not None:
        query = query.where(AuditEntry.account_id.in_(account_ids))
    return list(session.scalars(query))


def as_dict(entry: AuditEntry) -> dict[str, Any]:
    """An entry for JSON."""
    return {
        "id": entry.id,
        "at": entry.at.isoformat().replace("+00:00", "Z"),
        "staff": entry.staff_email,
        "action": entry.action,
        "campaign_id": entry.campaign_id,
        "account_id": entry.account_id,
        "before": entry.before,
        "after": entry.after,
    }
