"""One error shape: ``{"error": {"code", "message"}}`` for JSON clients, a page for people."""

from __future__ import annotations

import logging

import redis
from flask import Flask, jsonify, render_template, request
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException

from campaigns.errors import Busy, CampaignError

log = logging.getLogger(__name__)


def wants_json() -> bool:
    """JSON for the API, the draw endpoint and clients that ask for it; HTML otherwise."""
    if request.path.startswith("/api/") or request.is_json:
        return True
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return best == "application/json"


def error_response(code: str, message: str, status: int, fields: dict | None = None):
    """The single place that shapes an error response."""
    if wants_json():
        body = {"error": {"code": code, "message": message}}
        if fields:
            body["error"]["fields"] = fields
        return jsonify(body), status
    return render_template("error.html", code=code, message=message, status=status), status


def register(app: Flask) -> None:
    """Attach the handlers to ``app``."""

    @app.errorhandler(CampaignError)
    def campaign_error(exc: CampaignError):
        return error_response(exc.code, exc.message, exc.status, exc.fields)

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        code = (exc.name or "error").lower().replace(" ", "_")
        body, status = error_response(code, exc.description or exc.name, exc.code or 500)
        # Keep what the exception says besides its body: a 405's Allow header above all (RFC 9110).
        headers = [(k, v) for k, v in exc.get_headers() if k.lower() != "content-type"]
        return body, status, headers

    @app.errorhandler(redis.ConnectionError)
    @app.errorhandler(redis.TimeoutError)
    @app.errorhandler(OperationalError)
    def backend_down(exc: Exception):
        log.warning("backend unavailable", extra={"error": repr(exc)})
        busy = Busy("The service is busy; please try again in a moment.")
        return error_response(busy.code, busy.message, busy.status)

    @app.errorhandler(Exception)
    def unexpected(exc: Exception):
        log.exception("unexpected error")
        return error_response("internal", "Something went wrong on our side.", 500)
