"""The one place jobs are enqueued, and the list of periodic jobs.

Periodic jobs run on RQ's own scheduler (``Worker(with_scheduler=True)``: one worker
at a time holds the scheduler lock and moves due jobs to the queue). Each run is
scheduled under a deterministic id, ``periodic-<name>-<slot>``, with ``unique=True``:
any number of workers re-arming the same slot schedule it once, so scheduling twice
is harmless. Each periodic run re-arms every periodic job, and so does each worker
at start, so a worker killed mid-job does not stop the cycle.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from rq import Queue
from rq.exceptions import DuplicateJobError

from . import tasks

QUEUE_NAMES = ("default",)


@dataclass(frozen=True)
class Periodic:
    """A job run every ``every`` seconds, at multiples of ``every`` since the epoch."""

    name: str
    func: Callable
    every: int
    timeout: int


PERIODIC: list[Periodic] = [
    Periodic("ingest", tasks.ingest_all, every=5, timeout=120),
    Periodic("stats", tasks.recompute_active, every=60, timeout=600),
    Periodic("go-live", tasks.go_live_due, every=10, timeout=60),
    Periodic("expire-coupons", tasks.expire_coupons, every=300, timeout=300),
    Periodic("erase-addresses", tasks.erase_addresses, every=3600, timeout=300),
    Periodic("pay-red-packets", tasks.pay_due_red_packets, every=10, timeout=60),
    Periodic("reconcile-red-packets", tasks.reconcile_red_packets, every=60, timeout=300),
    Periodic("notices", tasks.send_notices, every=60, timeout=300),
    Periodic("heartbeat", tasks.heartbeat, every=30, timeout=30),
]


def periodic_job_id(periodic: Periodic, slot: int) -> str:
    """The deterministic job id of one run of a periodic job."""
    return f"periodic-{periodic.name}-{slot}"


def schedule_periodic(queue: Queue, now: datetime | None = None) -> list[str]:
    """Schedule the next run of every periodic job; return the ids newly scheduled."""
    # RQ's scheduler runs on the wall clock, so the slots do too.
    now = now or datetime.now(UTC)
    scheduled = []
    for periodic in PERIODIC:
        slot = int(now.timestamp()) // periodic.every + 1
        job_id = periodic_job_id(periodic, slot)
        at = datetime.fromtimestamp(slot * periodic.every, tz=UTC)
        try:
            # The job's record outlives its slot (result_ttl), so a late re-arm cannot schedule it again.
            queue.enqueue_at(
                at,
                periodic.func,
                job_id=job_id,
                unique=True,
                job_timeout=periodic.timeout,
                result_ttl=periodic.every * 3,
                failure_ttl=3600,
            )
        except DuplicateJobError:
            continue
        scheduled.append(job_id)
    return scheduled


def enqueue_ingest(queue: Queue, campaign_id: int, claim_idle_ms: int | None = None):
    """Ask a worker to ingest one campaign's stream soon."""
    kwargs = {} if claim_idle_ms is None else {"claim_idle_ms": claim_idle_ms}
    return queue.enqueue(tasks.ingest_campaign, args=(campaign_id,), kwargs=kwargs, job_timeout=300, result_ttl=60)


def enqueue_stats(queue: Queue, campaign_id: int):
    """Ask a worker to ingest and recompute one campaign's statistics (e.g. right after it ends)."""
    return queue.enqueue(tasks.recompute_campaign, campaign_id, job_timeout=600, result_ttl=60)


def enqueue_payout(queue: Queue, coupon_id: int, attempt: int):
    """Ask a worker to send one won red packet; one job per coupon and attempt, however often asked."""
    try:
        return queue.enqueue(
            tasks.pay_red_packet,
            coupon_id,
            job_id=f"payout-{coupon_id}-{attempt}",
            unique=True,
            job_timeout=120,
            result_ttl=3600,
        )
    except DuplicateJobError:
        return None


def enqueue_heartbeat(queue: Queue):
    """Ask a worker to prove it is alive."""
    return queue.enqueue(tasks.heartbeat, result_ttl=300)
