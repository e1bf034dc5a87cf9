"""The attribution rule of results by placement (docs/metrics.md, "Channels"), on hand-made events."""

from datetime import datetime

from campaigns.analytics.by_channel import channel_totals, funnel, placements
from campaigns.analytics.channels import placement_of
from campaigns.analytics.days import campaign_calendar
from campaigns.analytics.metrics import compute
from campaigns.analytics.stats import daily_rows
from tests.analytics.helpers import BEIJING, columns, draw_event

START = datetime(2026, 11, 1, 0, 0, tzinfo=BEIJING)
END = datetime(2026, 11, 20, 23, 59, tzinfo=BEIJING)
SCENES = ("poster", "table", "campaign:demo")


class Chan:
    def __init__(self, scene):
        self.scene, self.name = scene, scene


PLACES = placements([Chan("poster"), Chan("table")])


def visit(openid, at, ch=None):
    return ("visit", openid, at, {"ch": ch} if ch is not None else {})


def push(openid, at, scene="", via="subscribe"):
    return ("follow", openid, at, {"scene": scene, "channel": "", "via": via})


def unfollow(openid, at):
    return ("unfollow", openid, at, {})


def rows_of(events):
    calendar = campaign_calendar(START, END, "Asia/Shanghai")
    curves = compute(columns(events, scenes=SCENES), calendar.bounds)
    return daily_rows(curves, calendar, calendar.days, 20)


def by_channel(events) -> dict[str, dict]:
    return {t["channel"]: t for t in channel_totals(rows_of(events), PLACES)}


def column(events, name) -> dict[str, int]:
    return {channel: t[name] for channel, t in by_channel(events).items() if t[name]}


def test_a_visit_belongs_to_the_channel_in_its_url():
    events = [
        visit("a", "2026-11-02 10:00", ch="poster"),
        visit("b", "2026-11-02 10:00", ch="table"),
        visit("c", "2026-11-02 10:00", ch="share"),
        visit("d", "2026-11-02 10:00", ch="menu"),
        visit("e", "2026-11-02 10:00", ch="someone-elses-poster"),
        visit("f", "2026-11-02 10:00"),
    ]
    assert column(events, "visits") == {"poster": 1, "table": 1, "share": 1, "menu": 1, "other": 1, "direct": 1}


def test_a_visit_without_ch_belongs_to_the_last_scan_within_7_days():
    events = [
        push("six", "2026-11-02 10:00", scene="table"),
        visit("six", "2026-11-08 10:00"),  # 6 days after the scan: the table card's
        push("eight", "2026-11-02 10:00", scene="table"),
        visit("eight", "2026-11-10 10:00"),  # 8 days after: direct
        push("edge", "2026-11-02 10:00", scene="poster", via="scan"),
        visit("edge", "2026-11-09 10:00"),  # exactly 7 days after an existing follower's SCAN: the poster's
        push("latest", "2026-11-02 10:00", scene="poster"),
        push("latest", "2026-11-03 10:00", scene="table", via="scan"),
        visit("latest", "2026-11-04 10:00"),  # the latest scan wins
        visit("after", "2026-11-04 09:00"),
        push("after", "2026-11-04 10:00", scene="poster"),  # a scan after the visit does not count
        push("prompt", "2026-11-04 10:00", scene="campaign:demo"),
        visit("prompt", "2026-11-04 11:00"),  # the follow prompt is no placement: direct
    ]
    assert column(events, "visits") == {"table": 2, "poster": 1, "direct": 3}


def test_a_visit_without_ch_after_another_campaigns_scan_is_other():
    events = [push("a", "2026-11-02 10:00", scene="elsewhere"), visit("a", "2026-11-02 11:00")]
    assert column(events, "visits") == {"other": 1}
    assert column(events, "scans") == {"other": 1}


def test_a_player_belongs_to_the_channel_of_their_first_visit():
    events = [
        visit("a", "2026-11-02 10:00", ch="poster"),
        visit("a", "2026-11-03 10:00", ch="share"),
        draw_event("a", "2026-11-03 10:01", tier="t1"),
        draw_event("a", "2026-11-04 10:01"),
        draw_event("never-visited", "2026-11-04 10:00"),
    ]
    assert column(events, "players") == {"poster": 1, "direct": 1}
    assert column(events, "plays") == {"poster": 2, "direct": 1}
    assert column(events, "winners") == {"poster": 1}
    assert column(events, "visits") == {"poster": 1, "share": 1}


def test_scans_follows_and_existing_followers_belong_to_the_scene_of_the_push():
    events = [
        push("new", "2026-11-02 10:00", scene="poster"),
        push("old", "2026-11-02 10:00", scene="poster", via="scan"),
        push("old2", "2026-11-02 10:00", scene="table", via="scan"),
        visit("plain", "2026-11-02 09:00", ch="share"),
        push("plain", "2026-11-02 10:00"),  # no scene, after a visit within 24 hours: direct
        push("nobody", "2026-11-02 10:00"),  # no scene and no visit: not the campaign's follow at all
    ]
    assert column(events, "scans") == {"poster": 2, "table": 1}
    assert column(events, "existing_follower_scans") == {"poster": 1, "table": 1}
    assert column(events, "follows") == {"poster": 1, "direct": 1}


def test_a_follow_through_the_campaigns_prompt_belongs_to_the_followers_channel_as_a_player():
    events = [
        visit("a", "2026-11-02 10:00", ch="menu"),
        draw_event("a", "2026-11-02 10:01"),
        push("a", "2026-11-02 10:02", scene="campaign:demo"),
    ]
    assert column(events, "follows") == {"menu": 1}
    assert column(events, "scans") == {}


def test_an_unfollow_belongs_to_the_follow_it_takes_back_and_counts_in_7d_only_within_a_week():
    events = [
        push("quick", "2026-11-02 10:00", scene="poster"),
        unfollow("quick", "2026-11-09 10:00"),  # exactly 7 days
        push("slow", "2026-11-02 10:00", scene="table"),
        unfollow("slow", "2026-11-10 10:00"),  # 8 days
        push("stays", "2026-11-02 10:00", scene="table"),
    ]
    totals = by_channel(events)
    assert (totals["poster"]["follows"], totals["poster"]["unfollows"], totals["poster"]["unfollows_7d"]) == (1, 1, 1)
    assert (totals["table"]["follows"], totals["table"]["unfollows"], totals["table"]["unfollows_7d"]) == (2, 1, 0)
    assert (totals["poster"]["net_follower_gain"], totals["table"]["net_follower_gain"]) == (0, 1)


def test_claims_and_redemptions_belong_to_the_winners_channel():
    events = [
        visit("a", "2026-11-02 10:00", ch="table"),
        ("draw", "a", "2026-11-02 10:01", {"awarded_tier": "t1", "code": "C1"}),
        ("coupon_added", "a", "2026-11-02 10:05", {"code": "C1", "tier": "t1"}),
        ("coupon_redeemed", "a", "2026-11-03 10:01", {"code": "C1", "tier": "t1", "store": "南京路店", "staff": "s1"}),
    ]
    assert column(events, "claimed") == {"table": 1}
    assert column(events, "redeemed") == {"table": 1}
    rows = rows_of(events)
    assert rows[-1]["median_win_to_redemption_ms"] == 24 * 3600 * 1000
    assert rows[2]["redeemed_by_store"] == {"南京路店": 1}
    assert rows[2]["redeemed_by_staff"] == {"s1": 1}


def test_the_median_win_to_redemption_time_is_over_every_matched_redemption():
    events = []
    for i, hours in enumerate((1, 2, 10)):
        events += [
            ("draw", f"p{i}", "2026-11-02 10:00", {"awarded_tier": "t1", "code": f"C{i}"}),
            ("coupon_redeemed", f"p{i}", f"2026-11-02 {10 + hours:02d}:00", {"code": f"C{i}"}),
        ]
    events.append(("coupon_redeemed", "x", "2026-11-02 23:00", {"code": "UNKNOWN"}))
    assert rows_of(events)[-1]["median_win_to_redemption_ms"] == 2 * 3600 * 1000


def test_the_funnel_gives_each_steps_rate_from_the_step_before():
    total = {"visits": 10, "players": 5, "winners": 2, "claimed": 0, "redeemed": 0}
    assert [(s["step"], s["count"], s["rate"]) for s in funnel(total)] == [
        ("visits", 10, None),
        ("players", 5, 0.5),
        ("winners", 2, 0.4),
        ("claimed", 0, 0.0),
        ("redeemed", 0, None),
    ]


def test_channel_sums_equal_the_campaign_totals_on_hand_made_events():
    events = [
        visit("a", "2026-11-02 10:00", ch="poster"),
        draw_event("a", "2026-11-02 10:01", tier="t1"),
        visit("b", "2026-11-02 10:00"),
        draw_event("b", "2026-11-03 10:01"),
        draw_event("b", "2026-11-04 10:01", tier="t2"),
        push("c", "2026-11-02 10:00", scene="table"),
        unfollow("c", "2026-11-05 10:00"),
    ]
    rows = rows_of(events)
    totals = channel_totals(rows, PLACES)
    assert sum(t["plays"] for t in totals) == sum(r["plays"] for r in rows) == 3
    assert sum(t["players"] for t in totals) == sum(r["new_players"] for r in rows) == 2
    assert sum(t["winners"] for t in totals) == 2
    assert sum(t["net_follower_gain"] for t in totals) == sum(r["net_follower_gain"] for r in rows) == 0


def test_a_malformed_ch_is_recorded_as_none():
    assert placement_of("poster") == "poster" and placement_of("share") == "share"
    assert placement_of("<script>") == "" and placement_of("x" * 65) == "" and placement_of(None) == ""
