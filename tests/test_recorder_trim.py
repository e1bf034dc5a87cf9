"""Ingestion trims each campaign's stream of entries that are in SQL and older than the retention window."""

import pytest

import config
from campaigns import recorder, tasks
from campaigns.coupons.services import owned_coupon
from campaigns.draws import reconcile
from campaigns.draws import services as draws
from campaigns.keys import INGEST_GROUP, CampaignKeys
from extensions import db
from tests.draws.helpers import context, play, published_with_prizes
from tests.test_recorder import counts, fill, new_campaign, pending

HOUR_MS = 3_600_000


def redis_ms(redis) -> int:
    seconds, micros = redis.time()
    return seconds * 1000 + micros // 1000


def append_long_ago(redis, campaign_id: int, n: int, hours: int = 25) -> list[str]:
    """Append ``n`` visits with the stream ids Redis gave them ``hours`` ago; return those ids."""
    stream = CampaignKeys(campaign_id).events
    recorder.ensure_group(redis, stream)
    then = redis_ms(redis) - hours * HOUR_MS
    return [
        redis.xadd(
            stream,
            {"id": f"old{i}", "type": "visit", "campaign": str(campaign_id), "openid": f"o{i % 50}", "ts": str(then)},
            id=f"{then}-{i + 1}",
        )
        for i in range(n)
    ]


def stream_ids(redis, campaign_id: int) -> list[str]:
    return [entry_id for entry_id, _ in redis.xrange(CampaignKeys(campaign_id).events)]


def test_acknowledged_entries_older_than_the_window_are_trimmed_and_recent_ones_kept(app, services):
    campaign_id = new_campaign()
    old = append_long_ago(services.redis, campaign_id, 300)
    fill(services.redis, campaign_id, 200)
    recent = stream_ids(services.redis, campaign_id)[300:]

    assert recorder.ingest_campaign(db.session, services.redis, campaign_id, "c1") == 500
    assert counts(campaign_id)[0] == 500 and pending(services.redis, campaign_id) == 0
    assert stream_ids(services.redis, campaign_id) == recent
    assert not set(old) & set(stream_ids(services.redis, campaign_id))


def test_entries_within_the_window_stay_even_when_acknowledged(app, services):
    campaign_id = new_campaign()
    append_long_ago(services.redis, campaign_id, 100, hours=2)
    fill(services.redis, campaign_id, 100)

    recorder.ingest_campaign(db.session, services.redis, campaign_id, "c1", retention_ms=3 * HOUR_MS)
    assert len(stream_ids(services.redis, campaign_id)) == 200
    recorder.trim_ingested(services.redis, campaign_id, retention_ms=HOUR_MS)
    assert len(stream_ids(services.redis, campaign_id)) == 100


def test_pending_and_undelivered_entries_are_never_trimmed_however_old(app, services):
    campaign_id = new_campaign()
    ids = append_long_ago(services.redis, campaign_id, 300)
    stream = CampaignKeys(campaign_id).events
    services.redis.xreadgroup(INGEST_GROUP, "dead", {stream: ">"}, count=120)  # read, never written nor acknowledged

    # One batch of the next 100: the dead consumer's entries are pending, the last 80 never delivered.
    assert recorder.ingest_batch(db.session, services.redis, campaign_id, "alive", count=100) == 100
    assert stream_ids(services.redis, campaign_id) == ids
    recorder.ingest_campaign(db.session, services.redis, campaign_id, "alive")
    assert pending(services.redis, campaign_id) == 120 and stream_ids(services.redis, campaign_id) == ids

    # Once claimed, written and acknowledged they go, up to the group's last-delivered entry.
    recorder.ingest_campaign(db.session, services.redis, campaign_id, "alive", claim_idle_ms=0)
    assert counts(campaign_id)[0] == 300 and pending(services.redis, campaign_id) == 0
    assert stream_ids(services.redis, campaign_id) == ids[-1:]


def test_after_trimming_reconcile_finds_no_drift_and_followers_still_see_their_prizes(app, services):
    campaign = published_with_prizes(
        db.session,
        services,
        prizes=[("gold", 1_000_000, 20, "all", "code")],
        fallback=("none", "x", 1),
        codes={"gold": [f"G{i:02d}" for i in range(20)]},
    )
    for i in range(6):
        play(services, db.session, campaign, f"o{i % 2}", f"trim-key-{i:04d}")
    recorder.ingest_campaign(db.session, services.redis, campaign.id, "c1", retention_ms=0)
    assert len(stream_ids(services.redis, campaign.id)) == 1  # the group's last-delivered entry
    db.session.expire_all()

    report = reconcile.compare(db.session, services.redis, campaign)
    assert report.problems == [] and report.awaiting_ingest == 0 and report.sql_seqs == set(range(1, 7))
    ctx = context(services, db.session)
    won = draws.prizes(ctx, campaign, "o0")["prizes"]
    assert [p["seq"] for p in won] == [1, 3, 5]
    assert owned_coupon(db.session, services.redis, campaign, "o0", won[0]["coupon"]["code"]).draw_seq == 1

    # New draws not yet ingested are read from the stream's tail, beside the trimmed ones from SQL.
    play(services, db.session, campaign, "o0", "trim-key-0100")
    report = reconcile.compare(db.session, services.redis, campaign)
    assert report.problems == [] and report.awaiting_ingest == 1
    assert [p["seq"] for p in draws.prizes(ctx, campaign, "o0")["prizes"]] == [1, 3, 5, 7]


def test_the_worker_job_trims_with_the_configured_retention(app, services):
    assert config.load({})["STREAM_RETENTION_HOURS"] == 24
    with pytest.raises(config.ConfigError, match="STREAM_RETENTION_HOURS"):
        config.load({"STREAM_RETENTION_HOURS": "a day"})
    campaign_id = new_campaign()
    append_long_ago(services.redis, campaign_id, 50, hours=3)
    fill(services.redis, campaign_id, 50)

    services.settings["STREAM_RETENTION_HOURS"] = 4
    assert tasks.ingest_campaign(campaign_id) == 100
    assert len(stream_ids(services.redis, campaign_id)) == 100
    services.settings["STREAM_RETENTION_HOURS"] = 2
    fill(services.redis, campaign_id, 1)
    assert tasks.ingest_campaign(campaign_id) == 1
    assert len(stream_ids(services.redis, campaign_id)) == 51


def test_a_draws_replay_record_stays_while_its_entry_does_and_goes_with_it(app, services):
    import time

    from tests.draws.helpers import NOW

    campaign = published_with_prizes(db.session, services, prizes=[("gold", 10, 5, "all", "none")])
    state = CampaignKeys(campaign.id).state
    first = play(services, db.session, campaign, "o1", "replay-key-1", at=NOW)
    play(services, db.session, campaign, "o1", "replay-key-2", at=NOW)
    recorder.ingest_campaign(db.session, services.redis, campaign.id, "c1")  # in SQL, still in the window
    assert play(services, db.session, campaign, "o1", "replay-key-1", at=NOW) == first

    def records():
        return sorted(f.rsplit(":", 1)[1] for f in services.redis.hkeys(state) if f.startswith("i:"))

    assert records() == ["replay-key-1", "replay-key-2"]
    time.sleep(0.01)
    # Trimmed up to the group's last-delivered entry, which stays: the first draw's entry and record go.
    assert recorder.trim_ingested(services.redis, campaign.id, retention_ms=0) == 1
    assert records() == ["replay-key-2"]
