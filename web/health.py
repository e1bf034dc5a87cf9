"""``/healthz``: is the database reachable, is Redis reachable."""

from __future__ import annotations

from flask import Blueprint, jsonify
from sqlalchemy import text

from extensions import db
from web.services import services

bp = Blueprint("health", __name__)


def _check(probe) -> str:
    try:
        probe()
        return "ok"
    except Exception as exc:  # any failure of a dependency is reported, not raised
        return f"down: {type(exc).__name__}"


@bp.get("/healthz")
def healthz():
    """200 when the database and Redis answer, 503 naming what is down otherwise."""
    svc = services()
    checks = {
        "database": _check(lambda: db.session.execute(text("SELECT 1"))),
        "redis": _check(svc.redis.ping),
    }
    healthy = all(v == "ok" for v in checks.values())
    return jsonify(status="ok" if healthy else "degraded", checks=checks), 200 if healthy else 503
