"""gunicorn settings: ``gunicorn 'app:create_app()'`` reads this file from the project root."""

import sys

worker_class = "gthread"
threads = 4


def on_starting(server):
    """Refuse to start, in one sentence, when the database or Redis is unreachable."""
    from app import create_app
    from config import ConfigError
    from web import preflight

    try:
        preflight.check(create_app())
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(2)
