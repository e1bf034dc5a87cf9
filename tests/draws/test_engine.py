"""The draw script's decisions against the real Redis, replayed by the independent verifier."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from campaigns import events
from campaigns.draws import fairness, inventory, public
from campaigns.draws import publish as lifecycle
from campaigns.draws.verify import Mismatch, Version, verify
from campaigns.errors import Ended, InvalidInput, LimitReached, NotStarted, Paused, RateLimited
from campaigns.keys import CampaignKeys
from extensions import db

from .helpers import NOW, ingest_all, play, published_with_prizes


def _verify(services, campaign):
    ingest_all(services, campaign.id)
    db.session.expire_all()
    return public.verify_campaign(db.session, campaign, services.secrets)


def test_refused_plays_consume_no_nonce_and_no_seq(services):
    campaign = published_with_prizes(db.session, services, prizes=[("gold", 10, 5, "all", "none")], plays_per_day=2)
    before = NOW - timedelta(days=2)
    with pytest.raises(NotStarted):
        play(services, db.session, campaign, "o1", "k-refused-1", at=before)
    first = play(services, db.session, campaign, "o1", "k-000001", at=NOW)
    second = play(services, db.session, campaign, "o1", "k-000002", at=NOW)
    with pytest.raises(LimitReached):
        play(services, db.session, campaign, "o1", "k-000003", at=NOW)
    with pytest.raises(Ended):
        play(services, db.session, campaign, "o1", "k-000004", at=NOW + timedelta(days=30))
    next_day = play(services, db.session, campaign, "o1", "k-000005", at=NOW + timedelta(days=1))
    assert [first["nonce"], second["nonce"], next_day["nonce"]] == [0, 1, 2]
    assert [first["seq"], second["seq"], next_day["seq"]] == [1, 2, 3]
    assert services.redis.xlen(CampaignKeys(campaign.id).events) == 3
    assert _verify(services, campaign) == 3


def test_same_key_replays_the_same_draw_and_changes_nothing(services):
    campaign = published_with_prizes(db.session, services, prizes=[("gold", 50, 1, "all", "none")])
    first = play(services, db.session, campaign, "o1", "same-key-1", at=NOW)
    again = play(services, db.session, campaign, "o1", "same-key-1", at=NOW + timedelta(hours=1))
    assert again == first
    assert inventory.counters(services.redis, campaign.id)["seq"] == 1
    # The key is per player: someone else's identical key is their own draw.
    other = play(services, db.session, campaign, "o2", "same-key-1", at=NOW)
    assert other["seq"] == 2


def test_paused_then_resumed(services):
    campaign = published_with_prizes(db.session, services, prizes=[("gold", 10, 5, "all", "none")])
    lifecycle.pause(db.session, services.redis, campaign)
    with pytest.raises(Paused):
        play(services, db.session, campaign, "o1", "k-000001", at=NOW)
    lifecycle.resume(db.session, services.redis, campaign, services.clock)
    assert play(services, db.session, campaign, "o1", "k-000002", at=NOW)["nonce"] == 0


def test_rate_limit_refuses_a_second_play_within_the_interval(services):
    campaign = published_with_prizes(db.session, services, prizes=[("gold", 10, 5, "all", "none")], min_interval_ms=300)
    play(services, db.session, campaign, "o1", "k-000001", at=NOW)
    with pytest.raises(RateLimited):
        play(services, db.session, campaign, "o1", "k-000002", at=NOW + timedelta(milliseconds=100))
    assert play(services, db.session, campaign, "o1", "k-000003", at=NOW + timedelta(milliseconds=400))["nonce"] == 1


def test_stock_runs_out_into_the_fallback_and_codes_are_given_once(services):
    campaign = published_with_prizes(
        db.session,
        services,
        prizes=[("gold", 1_000_000, 3, "all", "code")],
        fallback=("none", "x", 1),
        codes={"gold": ["G1", "G2", "G3", "G4"]},
    )
    results = [play(services, db.session, campaign, f"o{i}", f"k-{i:06d}", at=NOW) for i in range(6)]
    won = [r for r in results if r["awarded_tier"] == "gold"]
    assert len(won) == 3 and sorted(r["code"] for r in won) == ["G1", "G2", "G3"]
    assert [r["reason"] for r in results if r["awarded_tier"] == "none"] == ["out_of_stock"] * 3
    assert _verify(services, campaign) == 6


def test_per_day_release_resets_at_local_midnight_across_daylight_saving(services):
    start = datetime(2026, 3, 27, 12, 0, tzinfo=UTC)
    campaign = published_with_prizes(
        db.session,
        services,
        prizes=[("gold", 1_000_000, 10, {"per_day": 1}, "none")],
        fallback=("none", "x", 1),
        timezone="Europe/Berlin",
        starts_at=start,
        ends_at=start + timedelta(days=5),
        at=start,
    )
    # 2026-03-29 in Berlin is 23 hours long: it ends at 22:00 UTC.
    at = [
        datetime(2026, 3, 29, 21, 59, tzinfo=UTC),
        datetime(2026, 3, 29, 21, 59, 30, tzinfo=UTC),
        datetime(2026, 3, 29, 22, 0, tzinfo=UTC),
    ]
    results = [play(services, db.session, campaign, f"o{i}", f"k-{i:06d}", at=t) for i, t in enumerate(at)]
    # The script's own day switch shows in the outcomes: a second gold only after 22:00 UTC.
    assert [(r["awarded_tier"], r["reason"], fairness.local_day("Europe/Berlin", r["ts"])) for r in results] == [
        ("gold", "", "2026-03-29"),
        ("none", "daily_limit", "2026-03-29"),
        ("gold", "", "2026-03-30"),
    ]
    assert _verify(services, campaign) == 3


def test_winning_moments_are_awarded_once_each_and_never_early(services):
    campaign = published_with_prizes(
        db.session, services, prizes=[("flash", 0, 3, "moments", "none")], fallback=("none", "x", 1)
    )
    seed = services.secrets.open(campaign.server_seed_sealed)
    instants = sorted(fairness.moments(seed, "flash", 3, *_bounds(campaign)))
    first = datetime.fromtimestamp(instants[0] / 1000, tz=UTC)
    before = play(services, db.session, campaign, "o1", "k-000001", at=first - timedelta(milliseconds=1))
    assert before["awarded_tier"] == "none"
    at_moment = play(services, db.session, campaign, "o2", "k-000002", at=first)
    assert (at_moment["awarded_tier"], at_moment["reason"]) == ("flash", "moment")
    after = play(services, db.session, campaign, "o3", "k-000003", at=first + timedelta(milliseconds=1))
    assert after["awarded_tier"] == "none"
    end = datetime.fromtimestamp(instants[-1] / 1000, tz=UTC)
    late = [play(services, db.session, campaign, f"p{i}", f"k-late-{i:03d}", at=end) for i in range(4)]
    assert [r["awarded_tier"] for r in late] == ["flash", "flash", "none", "none"]
    assert _verify(services, campaign) == 7


def _bounds(campaign):
    doc = json.loads(campaign.rules_versions[0].rules_json)
    return fairness.parse_iso_ms(doc["start"]), fairness.parse_iso_ms(doc["end"])


def test_wins_total_turns_further_wins_into_the_fallback(services):
    campaign = published_with_prizes(
        db.session, services, prizes=[("gold", 1_000_000, 10, "all", "none")], fallback=("none", "x", 1), wins_total=1
    )
    results = [play(services, db.session, campaign, "o1", f"k-{i:06d}", at=NOW) for i in range(3)]
    assert [(r["awarded_tier"], r["reason"]) for r in results] == [
        ("gold", ""),
        ("none", "player_win_limit"),
        ("none", "player_win_limit"),
    ]
    assert _verify(services, campaign) == 3


def test_client_seed_from_the_body_is_used_and_checked(services):
    campaign = published_with_prizes(db.session, services, prizes=[("gold", 10, 10, "all", "none")])
    result = play(services, db.session, campaign, "o1", "k-000001", at=NOW, client_seed="my-own-seed")
    assert result["client_seed"] == "my-own-seed"
    seed = services.secrets.open(campaign.server_seed_sealed)
    prizes = [{"tier": t.tier, "weight": t.weight} for t in campaign.tiers]
    assert result["drawn_tier"] == fairness.drawn_tier(seed, "my-own-seed", 0, prizes)
    with pytest.raises(InvalidInput):
        play(services, db.session, campaign, "o1", "k-000002", at=NOW, client_seed="no spaces")


def test_top_up_publishes_a_version_from_the_next_seq(services):
    campaign = published_with_prizes(
        db.session, services, prizes=[("gold", 1_000_000, 1, "all", "none")], fallback=("none", "x", 1)
    )
    assert play(services, db.session, campaign, "o1", "k-000001", at=NOW)["awarded_tier"] == "gold"
    assert play(services, db.session, campaign, "o2", "k-000002", at=NOW)["reason"] == "out_of_stock"
    version = lifecycle.top_up(db.session, services.redis, campaign, {"gold": 2}, services.clock, services.secrets)
    db.session.commit()
    assert (version.version, version.from_seq) == (2, 3)
    third = play(services, db.session, campaign, "o3", "k-000003", at=NOW)
    assert (third["awarded_tier"], third["rules_version"]) == ("gold", 2)
    assert _verify(services, campaign) == 3


def test_a_code_prize_is_topped_up_only_as_far_as_its_spare_codes(services):
    campaign = published_with_prizes(
        db.session,
        services,
        prizes=[("gold", 1_000_000, 2, "all", "code")],
        fallback=("none", "x", 1),
        codes={"gold": ["G1", "G2", "G3"]},
    )
    assert play(services, db.session, campaign, "o1", "k-000001", at=NOW)["code"] == "G1"
    with pytest.raises(InvalidInput) as refused:
        lifecycle.top_up(db.session, services.redis, campaign, {"gold": 4}, services.clock, services.secrets)
    assert "1 codes beyond the current stock" in refused.value.fields["stock.gold"]
    db.session.rollback()
    assert len(campaign.rules_versions) == 1 and inventory.stock(services.redis, campaign.id)["gold"] == 2
    version = lifecycle.top_up(db.session, services.redis, campaign, {"gold": 3}, services.clock, services.secrets)
    db.session.commit()
    assert version.version == 2
    codes = [play(services, db.session, campaign, f"o{i}", f"k-{i:06d}", at=NOW)["code"] for i in range(2, 5)]
    assert codes == ["G2", "G3", ""]


def test_the_verifier_names_the_first_tampered_line(services):
    campaign = published_with_prizes(db.session, services, prizes=[("gold", 10, 5, "all", "none")])
    for i in range(5):
        play(services, db.session, campaign, f"o{i}", f"k-{i:06d}", at=NOW)
    assert _verify(services, campaign) == 5
    seed = services.secrets.open(campaign.server_seed_sealed)
    lines = list(public.ledger.public_lines(db.session, campaign.id))
    versions = public.versions_of(campaign)
    forged = [dict(line) for line in lines]
    forged[2]["awarded_tier"] = "gold" if forged[2]["awarded_tier"] != "gold" else "none"
    with pytest.raises(Mismatch) as caught:
        verify(seed, campaign.server_seed_hash, versions, forged)
    assert caught.value.seq == 3
    with pytest.raises(Mismatch):
        verify("0" * 64, campaign.server_seed_hash, versions, lines)
    with pytest.raises(Mismatch) as gap:
        verify(seed, campaign.server_seed_hash, versions, lines[:1] + lines[2:])
    assert gap.value.seq == 2
    assert isinstance(versions[0], Version)


def test_a_wrong_guess_of_the_local_day_changes_nothing(services):
    """The caller guesses the day to save the script a lookup; a wrong guess (a clock off by a day) is not trusted."""
    import dataclasses

    from campaigns.clock import to_ms
    from campaigns.draws import engine
    from campaigns.draws import services as draws

    from .helpers import context

    campaign = published_with_prizes(
        db.session, services, prizes=[("gold", 1_000_000, 10, {"per_day": 1}, "none")], plays_per_day=2
    )
    fair = draws.fairness_for(db.session, campaign, services.secrets)
    assert fair.days  # per-day counts matter here, so the caller guesses
    # Every day's label moved one day on: the script's own lookup must decide instead.
    wrong = dataclasses.replace(
        fair, days=tuple((ms, label) for (ms, _), (_, label) in zip(fair.days, fair.days[1:], strict=False))
    )
    ctx = context(services, db.session)

    def draw(fairness, key):
        return engine.run(
            services.redis,
            campaign.id,
            fairness,
            player=draws.player_of(ctx, campaign, "o1"),
            openid="o1",
            idempotency_key=key,
            at_ms=to_ms(NOW),
        )

    first, second = draw(wrong, "k-guess-1"), draw(fair, "k-guess-2")
    assert (first["awarded_tier"], second["reason"]) == ("gold", "daily_limit")  # one gold a day, whoever guessed
    with pytest.raises(LimitReached):
        draw(wrong, "k-guess-3")  # two plays today, counted under the right day
    assert _verify(services, campaign) == 2


def test_the_draw_event_reads_back_as_the_draw_with_its_openid_whole(services):
    campaign = published_with_prizes(db.session, services, prizes=[("gold", 10, 5, "all", "none")])
    result = play(services, db.session, campaign, "o,with,commas", "k-event-1", at=NOW)
    [(_, event)] = events.read(services.redis.xrange(CampaignKeys(campaign.id).events), campaign.id)
    assert event["openid"] == "o,with,commas" and event["key"] == "k-event-1" and event["type"] == "draw"
    assert event["id"] == f"draw:{result['seq']}" and event["campaign"] == str(campaign.id)
    assert {k: event[k] for k in ("seq", "nonce", "client_seed", "awarded_tier", "reason")} == {
        "seq": str(result["seq"]),
        "nonce": str(result["nonce"]),
        "client_seed": result["client_seed"],
        "awarded_tier": result["awarded_tier"],
        "reason": result["reason"] or "",
    }


def test_the_draw_event_is_the_draws_record_and_the_answer_adds_the_players_counters(services):
    campaign = published_with_prizes(db.session, services, prizes=[("gold", 10, 5, "all", "none")])
    result = play(services, db.session, campaign, "o1", "k-layout-1", at=NOW)
    [(_, fields)] = services.redis.xrange(CampaignKeys(campaign.id).events)
    parts = fields["draw"].split(",")
    assert len(parts) == len(events.DRAW_PARTS)  # the record, player, key, openid: no counters in the event
    assert dict(zip(events.DRAW_RECORD, parts, strict=False)) == {k: str(result[k]) for k in events.DRAW_RECORD}
    assert (result["plays"], result["plays_today"], result["wins"]) == (1, 1, int(result["awarded_tier"] == "gold"))
