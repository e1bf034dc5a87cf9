"""The one place jobs are enqueued, and the list of periodic jobs.

Periodic jobs have deterministic ids, so scheduling them twice is harmless.
"""
from __future__ import annotations

from rq import Queue

from . import tasks

QUEUE_NAMES = ("default",)


def enqueue_ingest(queue: Queue, campaign_id: int):
    """Ask a worker to ingest one campaign's stream soon."""
    return queue.enqueue(tasks.ingest_campaign, campaign_id, job_timeout=300, result_ttl=60)


def enqueue_heartbeat(queue: Queue):
    """Ask a worker to prove it is alive."""
    return queue.enqueue(tasks.heartbeat, result_ttl=300)
