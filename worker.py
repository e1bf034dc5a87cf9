"""The RQ worker entry point: ``python worker.py [--burst]``.

Runs inside the Flask app context, so jobs use the same configuration, session
factory and Redis as the web app (``campaigns.runtime``).
"""
from __future__ import annotations

import argparse
import sys

from rq import Worker

from campaigns.jobs import QUEUE_NAMES, schedule_periodic
from config import ConfigError


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
    services = app.extensions["services"]
    with app.app_context():
        if not args.burst:
            # Arm the periodic jobs (ingest, statistics, heartbeat); harmless if another worker did.
            schedule_periodic(services.queue)
        worker = Worker(list(QUEUE_NAMES), connection=services.queue.connection)
        worker.work(burst=args.burst, with_scheduler=not args.burst)
    return 0


if __name__ == "__main__":
    sys.exit(main())
