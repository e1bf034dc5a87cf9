"""The daily curves on hand-made event sets whose answers are written here."""

from datetime import UTC, datetime

import numpy as np

from campaigns.analytics.days import campaign_calendar, day_index
from campaigns.analytics.metrics import compute, distinct_per_day
from campaigns.analytics.stats import daily_rows
from campaigns.clock import to_ms
from tests.analytics.helpers import BEIJING, beijing_ms, columns, draw_event

START = datetime(2026, 11, 23, 0, 0, tzinfo=BEIJING)
END = datetime(2026, 11, 25, 23, 59, tzinfo=BEIJING)

EVENTS = [
    ("visit", "a", "2026-11-23 10:00", {}),
    draw_event("a", "2026-11-23 10:01", "t1"),
    draw_event("a", "2026-11-23 10:02"),
    draw_event("b", "2026-11-23 23:59"),  # still the 23rd in Beijing (15:59 UTC)
    draw_event("b", "2026-11-24 00:01", "t1"),  # already the 24th in Beijing (16:01 UTC on the 23rd)
    draw_event("a", "2026-11-24 09:00"),
    ("visit", "c", "2026-11-24 12:00", {}),
    ("visit", "c", "2026-11-24 12:05", {}),
    draw_event("c", "2026-11-24 12:01", "t2"),
    draw_event("c", "2026-11-24 12:02", "t1"),
    draw_event("d", "2026-11-24 18:00"),
    draw_event("c", "2026-11-25 08:00"),
    ("coupon_added", "a", "2026-11-23 10:05", {"code": "X1", "tier": "t1"}),
    ("coupon_redeemed", "a", "2026-11-24 11:00", {"code": "X1", "tier": "t1"}),
]


def rows_for(events, begun=3, playable=3):
    calendar = campaign_calendar(START, END, "Asia/Shanghai")
    curves = compute(columns(events), calendar.bounds)
    return daily_rows(curves, calendar, begun, playable)


def test_the_curves_of_a_hand_made_campaign():
    rows = rows_for(EVENTS)

    assert [r["day"] for r in rows] == ["2026-11-23", "2026-11-24", "2026-11-25"]
    assert [r["plays"] for r in rows] == [3, 5, 1]
    assert [r["players"] for r in rows] == [2, 4, 1]
    assert [r["new_players"] for r in rows] == [2, 2, 0]
    assert [r["returning_players"] for r in rows] == [0, 2, 1]
    assert [r["winners"] for r in rows] == [1, 2, 0]
    assert [r["prizes"] for r in rows] == [{"t1": 1, "t2": 0}, {"t1": 2, "t2": 1}, {"t1": 0, "t2": 0}]
    assert [r["visitors"] for r in rows] == [1, 1, 0]
    assert [r["coupons_added"] for r in rows] == [1, 0, 0]
    assert [r["coupons_redeemed"] for r in rows] == [0, 1, 0]


def test_retention_is_the_share_of_a_cohort_playing_again_k_days_later():
    rows = rows_for(EVENTS)

    # Cohort of the 23rd: a and b both play on the 24th; of the 24th: c and d, only c plays on the 25th.
    assert [r["retention_d1"] for r in rows] == [1.0, 0.5, None]
    # Day + 3 is past the last playing day for every cohort: not known, not zero.
    assert [r["retention_d3"] for r in rows] == [None, None, None]


def test_a_draw_at_23_59_and_one_at_00_01_beijing_fall_on_different_days():
    rows = rows_for([draw_event("b", "2026-11-23 23:59"), draw_event("b", "2026-11-24 00:01")])

    assert [r["plays"] for r in rows] == [1, 1, 0]
    assert [r["new_players"] for r in rows] == [1, 0, 0]
    assert [r["returning_players"] for r in rows] == [0, 1, 0]


def test_days_follow_local_midnights_across_a_dst_change():
    # New York leaves DST on 1 November 2026: that day lasts 25 hours.
    calendar = campaign_calendar(
        datetime(2026, 10, 31, 4, tzinfo=UTC),
        datetime(2026, 11, 3, 4, tzinfo=UTC),
        "America/New_York",
        tail_days=0,
    )
    assert calendar.first.isoformat() == "2026-10-31"
    assert (np.diff(calendar.bounds) / 3_600_000).tolist() == [24, 25, 24]
    # 23:30 on 1 November in New York is 04:30 UTC on the 2nd, and still the 1st there.
    late = to_ms(datetime(2026, 11, 2, 4, 30, tzinfo=UTC))
    assert day_index(np.array([late]), calendar.bounds).tolist() == [1]


def test_distinct_players_per_day_count_each_player_once_a_day():
    days = np.array([0, 0, 0, 1, 1, 2], dtype=np.int64)
    players = np.array([5, 5, 7, 5, 7, 7], dtype=np.int64)
    assert distinct_per_day(days, players, 3, 8).tolist() == [2, 2, 1]


def test_events_before_the_first_day_or_after_the_tail_are_left_out():
    rows = rows_for([draw_event("a", "2026-11-22 23:59"), draw_event("a", "2026-11-23 00:00")])
    assert [r["plays"] for r in rows] == [1, 0, 0]
    assert beijing_ms("2026-11-23 00:00") == int(START.timestamp() * 1000)
