"""The shape figures on hand-made daily plays, and the sentences the dashboard prints."""

import numpy as np
import pytest

from campaigns.analytics.shape import describe, half_life, retention_share, shape

# Monday .. Sunday, then Monday: day 0 is the launch Monday.
WEEKEND = np.array([False, False, False, False, False, True, True, False])


def test_first_day_share_and_weekday_against_weekend():
    plays = np.array([400, 100, 100, 100, 100, 60, 60, 100])
    figures = shape(plays, WEEKEND)

    assert figures.total_plays == 1020
    assert figures.first_day_share == pytest.approx(400 / 1020)
    assert (figures.weekday_avg, figures.weekend_avg) == (100, 60)  # the launch day is left out
    assert figures.weekend_vs_weekday == pytest.approx(-0.4)
    assert "Weekend days averaged 40% fewer plays than weekdays" in " ".join(describe(figures))


def test_plays_halving_every_day_after_the_peak_have_a_half_life_of_one_day():
    peak, life = half_life(np.array([10, 800, 400, 200, 100, 50]))
    assert peak == 1 and life == pytest.approx(1.0)


def test_no_half_life_without_three_days_from_the_peak_or_without_a_decline():
    assert half_life(np.array([5, 9, 3])) == (1, None)
    assert half_life(np.array([1, 2, 3, 4])) == (3, None)
    assert half_life(np.array([0, 0])) == (None, None)


def test_retention_is_unknown_rather_than_zero_when_the_day_has_not_come():
    shares = retention_share(np.array([3, 1, 0]), np.array([4, 0, 2]), 1, known_days=2)
    assert shares == [0.75, None, None]
