"""Retention shares and the shape figures operators ask about, from the daily curves (pure)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


def retention_share(returned: np.ndarray, new_players: np.ndarray, offset: int, known_days: int) -> list[float | None]:
    """Share of each cohort's new players who played again ``offset`` days later.

    None where the cohort had no new players or day + offset is not yet a known playing day.
    """
    out: list[float | None] = []
    for day, (back, new) in enumerate(zip(returned.tolist(), new_players.tolist(), strict=False)):
        out.append(back / new if new and day + offset < known_days else None)
    return out


@dataclass(frozen=True)
class Shape:
    """The campaign's shape: first-day share, weekday vs weekend, half-life after the peak."""

    total_plays: int
    first_day_share: float | None
    weekday_avg: float | None
    weekend_avg: float | None
    weekend_vs_weekday: float | None
    peak_day: int | None
    half_life_days: float | None


def _mean(values: np.ndarray) -> float | None:
    return float(values.mean()) if values.size else None


def half_life(plays: np.ndarray) -> tuple[int | None, float | None]:
    """Peak day and the half-life in days of an exponential fitted to the plays from the peak on.

    The fit is least squares of ln(plays) on the day, over the days from the peak with
    at least one play; a half-life exists when there are 3 such days and the slope is negative.
    """
    if plays.size == 0 or plays.max() <= 0:
        return None, None
    peak = int(np.argmax(plays))
    after = plays[peak:].astype(float)
    t = np.arange(after.size, dtype=float)
    keep = after > 0
    if keep.sum() < 3:
        return peak, None
    slope = np.polyfit(t[keep], np.log(after[keep]), 1)[0]
    return peak, (math.log(2) / -float(slope) if slope < 0 else None)


def shape(plays: np.ndarray, weekend: np.ndarray) -> Shape:
    """Shape figures from the plays of the campaign's playing days (the first element is the first day).

    Weekday and weekend averages leave out the first day, whose burst is its own figure.
    """
    total = int(plays.sum())
    rest, rest_weekend = plays[1:], weekend[1:]
    weekday_avg, weekend_avg = _mean(rest[~rest_weekend]), _mean(rest[rest_weekend])
    ratio = weekend_avg / weekday_avg - 1 if weekday_avg and weekend_avg is not None else None
    peak, life = half_life(plays)
    return Shape(
        total_plays=total,
        first_day_share=(int(plays[0]) / total if total else None),
        weekday_avg=weekday_avg,
        weekend_avg=weekend_avg,
        weekend_vs_weekday=ratio,
        peak_day=peak,
        half_life_days=life,
    )


def describe(figures: Shape) -> list[str]:
    """The shape figures in words, for the dashboard and the terminal report."""
    lines = []
    if figures.first_day_share is not None:
        lines.append(f"The first day brought {figures.first_day_share:.0%} of all plays.")
    if figures.weekend_vs_weekday is not None:
        ratio = figures.weekend_vs_weekday
        word = "fewer" if ratio < 0 else "more"
        lines.append(
            f"Weekend days averaged {abs(ratio):.0%} {word} plays than weekdays "
            f"({figures.weekend_avg:.0f} against {figures.weekday_avg:.0f} a day, first day left out)."
        )
    if figures.half_life_days is not None:
        lines.append(
            f"After the peak on day {figures.peak_day + 1}, daily plays halved every {figures.half_life_days:.1f} days."
        )
    elif figures.peak_day is not None:
        lines.append(f"Daily plays peaked on day {figures.peak_day + 1}; too few days since to fit a half-life.")
    return lines
