"""A worker that writes one ingest batch to SQL and is killed (SIGKILL) before acknowledging it."""

from __future__ import annotations

import os
import signal
import sys

from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from campaigns import models  # noqa: F401 - registers every table
from campaigns.keys import CampaignKeys
from campaigns.recorder import ensure_group, next_batch, write_entries
from campaigns.redisconn import connect


def main(database_url: str, redis_url: str, campaign_id: int, count: int) -> None:
    """Ingest ``count`` entries, commit them, then die without XACK."""
    redis = connect(redis_url)
    stream = CampaignKeys(campaign_id).events
    ensure_group(redis, stream)
    entries = next_batch(redis, campaign_id, "doomed-worker", count, 60_000)
    with Session(create_engine(database_url)) as session:
        write_entries(session, campaign_id, entries)
    os.kill(os.getpid(), signal.SIGKILL)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
