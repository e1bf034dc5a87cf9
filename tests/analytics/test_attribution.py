"""Which follows and unfollows count for the campaign: the attribution rules of docs/metrics.md."""

from datetime import datetime

from campaigns.analytics.days import campaign_calendar
from campaigns.analytics.metrics import compute
from campaigns.analytics.stats import daily_rows
from tests.analytics.helpers import BEIJING, columns

START = datetime(2026, 11, 23, 0, 0, tzinfo=BEIJING)
END = datetime(2026, 11, 24, 23, 59, tzinfo=BEIJING)  # two days, then a 7-day tail


def follow(openid, at, scene=""):
    return ("follow", openid, at, {"scene": scene, "channel": ""})


def unfollow(openid, at):
    return ("unfollow", openid, at, {})


def visit(openid, at):
    return ("visit", openid, at, {})


def curves(events):
    calendar = campaign_calendar(START, END, "Asia/Shanghai")
    rows = daily_rows(compute(columns(events, scenes=("poster",)), calendar.bounds), calendar, calendar.days, 2)
    return {
        name: [r[name] for r in rows]
        for name in ("follows", "unfollows", "net_follower_gain", "net_follower_gain_total")
    }


def test_a_follow_through_one_of_the_campaigns_scenes_is_attributed():
    assert curves([follow("a", "2026-11-23 09:00", scene="poster")])["follows"][:2] == [1, 0]


def test_a_follow_through_another_scene_is_not_even_after_a_visit():
    events = [visit("a", "2026-11-23 08:00"), follow("a", "2026-11-23 09:00", scene="someone-elses-poster")]
    assert curves(events)["follows"][:2] == [0, 0]


def test_a_follow_without_scene_counts_only_after_a_visit_within_24_hours():
    events = [
        visit("near", "2026-11-22 10:00"),
        follow("near", "2026-11-23 09:59"),  # 23h59m after the visit
        visit("edge", "2026-11-22 10:00"),
        follow("edge", "2026-11-23 10:00"),  # exactly 24h: still counts
        visit("far", "2026-11-22 10:00"),
        follow("far", "2026-11-23 10:01"),  # 24h01m: too late
        follow("never", "2026-11-23 11:00"),  # no visit at all
        follow("early", "2026-11-23 11:00"),
        visit("early", "2026-11-23 11:30"),  # the visit came after
    ]
    assert curves(events)["follows"][:2] == [2, 0]


def test_unfollows_count_when_the_followers_latest_follow_was_attributed():
    events = [
        follow("kept", "2026-11-23 09:00", scene="poster"),
        unfollow("kept", "2026-11-24 09:00"),
        # Attributed once, then followed again from elsewhere: the latest follow is not ours.
        follow("moved", "2026-11-23 09:00", scene="poster"),
        unfollow("moved", "2026-11-23 12:00"),
        follow("moved", "2026-11-23 13:00", scene="elsewhere"),
        unfollow("moved", "2026-11-24 10:00"),
        unfollow("stranger", "2026-11-24 11:00"),
    ]
    got = curves(events)
    assert got["follows"][:2] == [2, 0]
    assert got["unfollows"][:2] == [1, 1]
    assert got["net_follower_gain"][:2] == [1, -1]
    assert got["net_follower_gain_total"][:2] == [1, 0]


def test_unfollows_keep_counting_for_seven_days_after_the_end():
    events = [
        follow("a", "2026-11-23 09:00", scene="poster"),
        unfollow("a", "2026-12-01 20:00"),  # 7th tail day
        follow("b", "2026-11-23 09:00", scene="poster"),
        unfollow("b", "2026-12-02 00:30"),  # past the tail
    ]
    got = curves(events)
    assert len(got["unfollows"]) == 9
    assert got["unfollows"] == [0, 0, 0, 0, 0, 0, 0, 0, 1]
    assert got["net_follower_gain_total"][-1] == 1
