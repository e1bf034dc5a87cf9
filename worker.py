"""The RQ worker entry point: ``python worker.py [--burst]``.

Runs inside the Flask app context, so jobs use the same configuration, session
factory and Redis as the web app (``campaigns.runtime``).

A Redis outage must not end the worker or the periodic jobs. RQ's own worker gives
up on a Redis error met outside its dequeue loop, and its scheduler process exits on
the first one and is restarted only at the worker's next maintenance (every ten
minutes by default, and checked only when a wait for jobs ends, up to seven minutes).
So this worker waits for jobs a few seconds at a time, runs its maintenance that often, re-arms
the periodic jobs there, and is started again whenever RQ's loop gives up, until it
is asked to stop.
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import time

import redis
from rq import Queue, Worker

from campaigns.jobs import QUEUE_NAMES, schedule_periodic
from config import ConfigError

log = logging.getLogger("worker")

# How often a worker restarts a dead scheduler and re-arms the periodic jobs, in seconds.
MAINTENANCE_SECONDS = 5
# Pauses before starting the worker again after RQ's loop gave up (the last one repeats).
RESTART_PAUSES = (1, 2, 5)


class CampaignWorker(Worker):
    """RQ's worker that knows whether it was asked to stop, and keeps the periodic jobs armed."""

    stopping = False
    rearm = False

    @property
    def dequeue_timeout(self) -> int:
        return MAINTENANCE_SECONDS  # RQ checks for maintenance only between jobs and dequeue timeouts

    def request_stop(self, signum, frame):
        self.stopping = True
        super().request_stop(signum, frame)

    def unsubscribe(self):
        """Stop taking commands (RQ's pub/sub listener) without joining the listener thread.

        RQ joins it with a one-second timeout, but a timed wait does not time out when the
        process's clock is stepped (libfaketime: ``faketime '+400 days' make test``), and the
        thread sits in one after the unsubscribe, so the worker would never end. The thread is
        a daemon and is stopped here; it closes its connection itself when its loop ends (closing
        it from here races the thread's last read), and the process does not wait for it.
        """
        if self.pubsub_thread:
            self.pubsub.unsubscribe()
            self.pubsub_thread.stop()

    def run_maintenance_tasks(self):
        super().run_maintenance_tasks()  # also starts the scheduler again if its process died
        if self.rearm:
            schedule_periodic(self.queues[0])  # harmless when armed: each run has a unique id


def _stop(signum, frame):
    raise SystemExit(0)


def serve(queue: Queue, burst: bool = False) -> None:
    """Work until asked to stop (or, with ``burst``, until the queues are empty)."""
    restarts = 0
    stale = None  # the scheduler of the worker that gave up: its lock is still leased
    # Until RQ installs its own handlers (and between runs), a stop signal ends the process at once.
    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    while True:
        worker = None
        try:
            if stale is not None:
                stale.release_locks()  # so the next scheduler need not wait out the lease
                stale = None
            worker = CampaignWorker(
                list(QUEUE_NAMES), connection=queue.connection, maintenance_interval=MAINTENANCE_SECONDS
            )
            worker.rearm = not burst
            worker.work(burst=burst, with_scheduler=not burst)
        except (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError) as exc:
            if burst:
                raise
            log.warning("worker lost Redis", extra={"error": str(exc)})
        if burst or (worker is not None and worker.stopping):
            return
        if worker is not None and worker.scheduler is not None:
            stale = worker.scheduler
        signal.signal(signal.SIGTERM, _stop)  # RQ's handlers belong to the old worker
        signal.signal(signal.SIGINT, _stop)
        pause = RESTART_PAUSES[min(restarts, len(RESTART_PAUSES) - 1)]
        log.warning("worker starting again", extra={"in_seconds": pause})
        time.sleep(pause)
        restarts += 1


def main(argv: list[str] | None = None) -> int:
    """Start a worker; with ``--burst`` it stops once the queues are empty."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--burst", action="store_true", help="exit when the queues are empty")
    args = parser.parse_args(argv)
    try:
        from app import create_app
        from web import preflight

        app = create_app()
        preflight.check(app)
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    with app.app_context():
        serve(app.extensions["services"].queue, burst=args.burst)
    return 0


if __name__ == "__main__":
    sys.exit(main())
