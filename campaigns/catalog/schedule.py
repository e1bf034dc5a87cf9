"""Where a campaign stands at an instant: the one computation the game page and the account's replies share."""

from __future__ import annotations

from datetime import UTC, datetime


def utc(at: datetime) -> datetime:
    """``at`` as an aware UTC datetime (SQLite hands back naive ones)."""
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)


def schedule_state(status: str, starts_at: datetime, ends_at: datetime, now: datetime) -> str:
    """Which state the schedule puts a published campaign in: ``not_started``, ``paused``, ``ended`` or ``live``."""
    if status == "ended" or now >= utc(ends_at):
        return "ended"
    if status == "paused":
        return "paused"
    if status == "scheduled" or now < utc(starts_at):
        return "not_started"
    return "live"
