"""The preview's arithmetic against a direct computation, and the preview endpoints."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from campaigns.catalog.preview import TierInput, days_between, preview


def direct(tiers, days, weekday, weekend):
    """A plain restatement: simulate the expected day by day, one tier at a time."""
    total = sum(t.weight for t in tiers)
    out = {}
    won_per_day = [0.0] * len(days)
    for t in tiers:
        if t.is_fallback:
            continue
        left, ran_out, total_won = t.stock, None, 0.0
        for i, d in enumerate(days):
            plays = weekend if d.isoweekday() in (6, 7) else weekday
            want = plays * t.weight / total
            if t.daily_limit is not None and want > t.daily_limit:
                want = t.daily_limit
            got = want if want < left else left
            left -= got
            total_won += got
            won_per_day[i] += got
            if ran_out is None and t.stock and left < 0.5:
                ran_out = d.isoformat()
        out[t.tier] = (t.weight / total, total_won, ran_out)
    for t in tiers:
        if t.is_fallback:
            plays = [weekend if d.isoweekday() in (6, 7) else weekday for d in days]
            out[t.tier] = (t.weight / total, sum(plays) - sum(won_per_day), None)
    return out


def test_a_worked_example():
    days = days_between(date(2026, 11, 23), date(2026, 12, 6))  # Monday to Sunday, two weeks
    result = preview(
        [TierInput("gold", 5, 20), TierInput("silver", 15, 100, 10), TierInput("none", 80, 0, None, True)],
        days,
        100,
        300,
    )
    gold, silver, none = result["tiers"]
    assert result["days"] == 14 and result["plays_total"] == 10 * 100 + 4 * 300
    assert gold["probability"] == 0.05 and gold["expected_first_day"] == 5.0
    assert gold["runs_out_on"] == "2026-11-26"  # 5 a day for four weekdays
    assert silver["expected_first_day"] == 10.0  # capped by its daily limit (15 drawn)
    assert silver["runs_out_on"] == "2026-12-02"
    assert none["expected_total"] == pytest.approx(2200 - 20 - 100)


tiers_strategy = st.lists(
    st.builds(
        TierInput,
        tier=st.sampled_from(["a", "b", "c", "d"]),
        weight=st.integers(1, 1000),
        stock=st.integers(0, 5000),
        daily_limit=st.one_of(st.none(), st.integers(1, 500)),
    ),
    min_size=1,
    max_size=4,
    unique_by=lambda t: t.tier,
).map(lambda ts: ts + [TierInput("fallback", 100, 0, None, True)])


@settings(max_examples=60, deadline=None)
@given(
    tiers=tiers_strategy,
    start=st.dates(date(2026, 1, 1), date(2027, 12, 31)),
    length=st.integers(0, 60),
    weekday=st.integers(0, 100_000),
    weekend=st.integers(0, 100_000),
)
def test_preview_matches_a_direct_computation(tiers, start, length, weekday, weekend):
    days = [d for d in days_between(start, date.fromordinal(start.toordinal() + length))]
    result = preview(tiers, days, weekday, weekend)
    expected = direct(tiers, days, weekday, weekend)
    for row in result["tiers"]:
        probability, total, ran_out = expected[row["tier"]]
        assert row["probability"] == pytest.approx(probability)
        assert row["expected_total"] == pytest.approx(total, rel=1e-9, abs=1e-6)
        assert row["runs_out_on"] == ran_out
    assert sum(r["probability"] for r in result["tiers"]) == pytest.approx(1.0)


def test_the_campaign_preview_page(as_marketer, frozen):
    from tests.console.test_lifecycle import make

    make(as_marketer)
    page = as_marketer.get("/console/campaigns/spring-wheel/preview?weekday_plays=100&weekend_plays=100")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "5.00%" in text and "15.00%" in text and "80.00%" in text
    refused = as_marketer.get("/console/campaigns/spring-wheel/preview?weekday_plays=lots")
    assert refused.status_code == 400


def test_the_live_preview_reads_the_form_as_it_stands(as_marketer, frozen):
    from tests.console.conftest import campaign_doc
    from tests.console.test_editing import form_of

    form = form_of(campaign_doc())
    form.update({"prize-0-weight": "20", "weekday_plays": "1000", "weekend_plays": "1000"})
    result = as_marketer.post("/console/preview", data=form).get_json()
    assert [round(r["probability"], 4) for r in result["tiers"]] == [
        round(20 / 115, 4),
        round(15 / 115, 4),
        round(80 / 115, 4),
    ]
