"""What the odds will do: probabilities, expected winners per day and the day each prize runs out.

Pure arithmetic on plain values, so the console's live preview, the API and the tests
all compute the same numbers. A drawn tier with no stock left (or past its daily limit)
awards the fallback, so expected winners are capped by what remains, not by the odds.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

MAX_DAYS = 366


@dataclass(frozen=True)
class TierInput:
    tier: str
    weight: int
    stock: int
    daily_limit: int | None = None
    is_fallback: bool = False


def days_between(first: date, last: date) -> list[date]:
    """Every calendar day from ``first`` to ``last`` inclusive, at most a year."""
    count = max(0, min((last - first).days + 1, MAX_DAYS))
    return [first + timedelta(days=n) for n in range(count)]


def plays_on(day: date, weekday_plays: float, weekend_plays: float) -> float:
    """The traffic estimate for ``day``: Saturdays and Sundays follow the weekend figure."""
    return weekend_plays if day.weekday() >= 5 else weekday_plays


def _prize_days(tier: TierInput, probability: float, traffic: list[float]) -> tuple[list[float], int | None]:
    """Expected awards of a prize tier per day, and the index of the day it runs out."""
    remaining = float(tier.stock)
    runs_out = None
    per_day = []
    for index, plays in enumerate(traffic):
        expected = probability * plays
        if tier.daily_limit is not None:
            expected = min(expected, float(tier.daily_limit))
        expected = min(expected, remaining)
        remaining -= expected
        # A prize has run out once less than half a unit is expected to be left.
        if runs_out is None and tier.stock > 0 and remaining < 0.5:
            runs_out = index
        per_day.append(expected)
    return per_day, runs_out


def preview(tiers: list[TierInput], days: list[date], weekday_plays: float, weekend_plays: float) -> dict:
    """Per tier: probability, expected winners on the first day and in total, and the day it is likely to run out."""
    traffic = [plays_on(day, weekday_plays, weekend_plays) for day in days]
    total_weight = sum(t.weight for t in tiers if t.weight > 0)
    rows = []
    awarded = [0.0] * len(days)
    for tier in tiers:
        probability = tier.weight / total_weight if total_weight and tier.weight > 0 else 0.0
        per_day, runs_out = ([], None) if tier.is_fallback else _prize_days(tier, probability, traffic)
        awarded = [a + b for a, b in zip(awarded, per_day, strict=False)] if per_day else awarded
        rows.append(
            {
                "tier": tier.tier,
                "probability": probability,
                "per_day": per_day,
                "stock": tier.stock,
                "is_fallback": tier.is_fallback,
                "runs_out_on": days[runs_out].isoformat() if runs_out is not None else None,
            }
        )
    for row in rows:
        if row["is_fallback"]:
            # Every play that does not win a prize lands on the fallback, including drawn-but-out-of-stock ones.
            row["per_day"] = [plays - won for plays, won in zip(traffic, awarded, strict=False)]
        per_day = row.pop("per_day")
        row["expected_first_day"] = per_day[0] if per_day else 0.0
        row["expected_total"] = sum(per_day)
    return {"days": len(days), "plays_total": sum(traffic), "tiers": rows}
