"""Campaign-local calendar days as UTC millisecond boundaries (DST-correct, via zoneinfo)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import numpy as np

from ..clock import to_ms

# Unfollows keep counting for this many days after a campaign ends (docs/metrics.md).
# The attribution window, one number for every rule that looks back or ahead a week: a visit's
# scan, an unfollow taken back from its follow, the recent campaigns a follow reaches, and the
# days after its end that a campaign's statistics keep counting (docs/metrics.md).
ATTRIBUTION_DAYS = 7


@dataclass(frozen=True)
class Calendar:
    """The campaign-local days from the first day of a campaign to the last day of its tail."""

    first: date
    days: int
    # UTC ms of each local midnight: day i is [bounds[i], bounds[i + 1]).
    bounds: np.ndarray
    timezone: str

    def date(self, index: int) -> date:
        """The calendar date of day ``index``."""
        return self.first + timedelta(days=index)

    def dates(self) -> list[date]:
        """Every calendar date, in order."""
        return [self.date(i) for i in range(self.days)]

    def weekend(self) -> np.ndarray:
        """True for Saturdays and Sundays."""
        return np.array([d.weekday() >= 5 for d in self.dates()], dtype=bool)

    def index_of(self, at: datetime) -> int:
        """The day index of an instant (may fall outside ``0 .. days - 1``)."""
        return int(np.searchsorted(self.bounds, to_ms(at), side="right")) - 1


def local_midnights_ms(first: date, days: int, tz: str) -> np.ndarray:
    """UTC ms of local midnight for ``days + 1`` consecutive dates from ``first``."""
    zone = ZoneInfo(tz)
    return np.array(
        [to_ms(datetime.combine(first + timedelta(days=i), time(0), tzinfo=zone)) for i in range(days + 1)],
        dtype=np.int64,
    )


def campaign_calendar(starts_at: datetime, ends_at: datetime, tz: str, tail_days: int = ATTRIBUTION_DAYS) -> Calendar:
    """The calendar from the local date of ``starts_at`` to ``tail_days`` after the local date of ``ends_at``."""
    zone = ZoneInfo(tz)
    first = _aware(starts_at).astimezone(zone).date()
    last = _aware(ends_at).astimezone(zone).date() + timedelta(days=tail_days)
    days = (last - first).days + 1
    return Calendar(first=first, days=days, bounds=local_midnights_ms(first, days, tz), timezone=tz)


def day_index(ts_ms: np.ndarray, bounds: np.ndarray) -> np.ndarray:
    """Day index of every timestamp: -1 before the first day, ``len(bounds) - 1`` or more after the last."""
    return np.searchsorted(bounds, ts_ms, side="right") - 1


def _aware(at: datetime) -> datetime:
    # SQLite hands datetimes back naive; they are stored in UTC.
    return at if at.tzinfo else at.replace(tzinfo=UTC)
