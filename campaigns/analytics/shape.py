"""Retention shares and the shape figures operators ask about, from the daily curves (pure)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..catalog.messages import msg


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
    """The shape figures in words, for the dashboard (translated there) and the terminal report."""
    lines = []
    if figures.first_day_share is not None:
        lines.append(msg("The first day brought {share} of all plays.", share=f"{figures.first_day_share:.0%}"))
    if figures.weekend_vs_weekday is not None:
        values = {
            "ratio": f"{abs(figures.weekend_vs_weekday):.0%}",
            "weekend": f"{figures.weekend_avg:.0f}",
            "weekday": f"{figures.weekday_avg:.0f}",
        }
        if figures.weekend_vs_weekday < 0:
            line = msg(
                "Weekend days averaged {ratio} fewer plays than weekdays "
                "({weekend} against {weekday} a day, first day left out).",
                **values,
            )
        else:
            line = msg(
                "Weekend days averaged {ratio} more plays than weekdays "
                "({weekend} against {weekday} a day, first day left out).",
                **values,
            )
        lines.append(line)
    if figures.half_life_days is not None:
        lines.append(
            msg(
                "After the peak on day {day}, daily plays halved every {days} days.",
                day=figures.peak_day + 1,
                days=f"{figures.half_life_days:.1f}",
            )
        )
    elif figures.peak_day is not None:
        lines.append(
            msg("Daily plays peaked on day {day}; too few days since to fit a half-life.", day=figures.peak_day + 1)
        )
    return lines
