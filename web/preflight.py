"""Checks run when a process starts, so misconfiguration fails with one sentence, not a traceback."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import text

from config import ConfigError
from extensions import db


def check(app: Flask) -> None:
    """Raise :class:`ConfigError` naming the variable if the database or Redis cannot be reached."""
    with app.app_context():
        try:
            with db.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
        except Exception as exc:
            raise ConfigError(
                f"DATABASE_URL: cannot connect to the database ({type(exc).__name__}: {exc}).".split("\n")[0]
            ) from None
    try:
        app.extensions["services"].redis.ping()
    except Exception as exc:
        where = app.config["REDIS_URL"] or "the embedded Redis (REDIS_URL is unset; `make run` starts it)"
        raise ConfigError(f"REDIS_URL: cannot reach Redis at {where} ({type(exc).__name__}).") from None
