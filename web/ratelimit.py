"""Draw flooding from one client address: past ``DRAW_IP_LIMIT`` draws a second, 429.

The draw script already refuses a player who draws again within the campaign's minimum
interval; this limit is the one for many openids behind one address (a script logging
in fake followers). It is generous because WeChat users often share a carrier's address,
and it counts every campaign together so one flooder cannot hide by switching campaign.
"""

from __future__ import annotations

import logging
from datetime import datetime

from flask import Flask, current_app, make_response, request

from campaigns.errors import RateLimited
from campaigns.keys import draw_address_rate
from web.services import services

from .errors import error_response

log = logging.getLogger(__name__)

WINDOW_SECONDS = 1
LIMITED_ENDPOINTS = frozenset({"games.draw"})


def over_limit(redis, address: str, limit: int, now: datetime) -> bool:
    """Count one draw from ``address``; True once it made more than ``limit`` in the window holding ``now``."""
    key = draw_address_rate(address, int(now.timestamp()) // WINDOW_SECONDS)
    pipe = redis.pipeline(transaction=False)
    # The window is the app's clock's; the counter outlives it a little so a slow request still finds it.
    pipe.set(key, 0, ex=2 * WINDOW_SECONDS, nx=True)
    pipe.incr(key)
    count = pipe.execute()[1]
    if count == limit + 1:
        log.warning("draws rate-limited", extra={"address": address, "limit": limit})
    return count > limit


def register(app: Flask) -> None:
    """Refuse a draw with 429 ``rate_limited`` when its address is over the limit."""

    @app.before_request
    def limit_draws():
        limit = current_app.config.get("DRAW_IP_LIMIT") or 0
        if not limit or request.endpoint not in LIMITED_ENDPOINTS:
            return None
        svc = services()
        if not over_limit(svc.redis, request.remote_addr or "unknown", limit, svc.clock.now()):
            return None
        refused = RateLimited("Too many draws from your network; please try again in a moment.")
        response = make_response(error_response(refused.code, refused.message, refused.status))
        response.headers["Retry-After"] = str(WINDOW_SECONDS)
        return response
