"""Time, passed in rather than read deep inside logic."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, timezone-aware UTC."""


class SystemClock:
    """The real clock."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class FixedClock:
    """A clock that stands still until moved; for tests and simulations."""

    def __init__(self, at: datetime):
        if at.tzinfo is None:
            raise ValueError("FixedClock needs a timezone-aware datetime")
        self._at = at

    def now(self) -> datetime:
        return self._at

    def advance(self, **delta: float) -> None:
        """Move the clock forward by ``timedelta(**delta)``."""
        self._at += timedelta(**delta)

    def set(self, at: datetime) -> None:
        """Jump to ``at``."""
        self._at = at


def utc(at: datetime) -> datetime:
    """``at`` as an aware UTC datetime (SQLite hands back naive ones)."""
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)


def iso_ms(at: datetime) -> str:
    """Format as UTC ISO 8601 with milliseconds and a Z: ``2026-11-23T08:00:00.000Z``."""
    at = at.astimezone(UTC)
    return (
        f"{at.year:04d}-{at.month:02d}-{at.day:02d}T{at.hour:02d}:{at.minute:02d}:{at.second:02d}"
        f".{at.microsecond // 1000:03d}Z"
    )


def from_ms(ms: int) -> datetime:
    """A UTC datetime from milliseconds since the epoch."""
    return datetime.fromtimestamp(ms / 1000, tz=UTC)


def to_ms(at: datetime) -> int:
    """Milliseconds since the epoch of an aware datetime."""
    return (at - EPOCH) // timedelta(milliseconds=1)
