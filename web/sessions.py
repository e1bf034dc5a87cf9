"""The signed session cookie (Flask's), with each cookie's signature checked once rather than on every request.

Checking the HMAC of the cookie (and deriving its key) is the largest share of a trivial
logged-in request's CPU, and a follower sends the same cookie on every request (it is
signed at sign-in, not again on every answer: ``SESSION_REFRESH_EACH_REQUEST`` is off).
So the ``Cookie`` headers whose session cookie checked out are remembered, exactly as sent,
with the time the cookie was signed and what it holds: the same header again is the same
verdict, and the header is not even parsed again. The cookie's lifetime is still checked
on every request, and a header not remembered (a new, changed or forged cookie, or any other
cookie beside it) goes through Flask's check unchanged. Changing ``SECRET_KEY`` forgets every
cookie. An answer that leaves the session as it was costs nothing but its ``Vary: Cookie``.
"""

from __future__ import annotations

import threading
import time

from flask import Flask, Request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface, SessionMixin
from itsdangerous import BadSignature

REMEMBERED = 20_000  # Cookie headers (about 300 bytes each)
SCALARS = (str, int, float, bool, type(None))


class SessionCookie(SecureCookieSessionInterface):
    """Flask's signed cookie session; a cookie already verified is not verified (or parsed) again."""

    def __init__(self, remembered: int = REMEMBERED) -> None:
        self._remembered = remembered
        # Cookie header -> (signed at, the session's data, its payload as JSON text when a value is not a scalar)
        self._verified: dict[str, tuple[float, dict, str | None]] = {}
        self._keys: tuple | None = None
        self._lock = threading.Lock()

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        header = request.environ.get("HTTP_COOKIE")
        if not header or not app.secret_key:
            return super().open_session(app, request)
        keys = (app.secret_key, tuple(app.config.get("SECRET_KEY_FALLBACKS") or ()))
        if keys != self._keys:
            with self._lock:
                self._verified, self._keys = {}, keys
        max_age = app.permanent_session_lifetime.total_seconds()
        held = self._verified.get(header)
        if held is None:
            held = self._verify(app, request, header, max_age)
            if held is None:
                return self.session_class()
        signed_at, data, nested = held
        if not 0 <= time.time() - signed_at <= max_age:
            return self.session_class()  # expired, as Flask's own check would say
        # A copy of the data: one level when every value is a scalar, from the JSON text otherwise.
        return self.session_class(data if nested is None else self.serializer.loads(nested))

    def _verify(self, app: Flask, request: Request, header: str, max_age: float) -> tuple | None:
        """Flask's check of the header's session cookie; remembered when it passes."""
        cookie = request.cookies.get(self.get_cookie_name(app))
        if not cookie:
            return None
        signer = self.get_signing_serializer(app)
        try:
            data, signed_at = signer.loads(cookie, max_age=int(max_age), return_timestamp=True)
        except BadSignature:
            return None
        nested = None if all(isinstance(v, SCALARS) for v in data.values()) else self.serializer.dumps(data)
        held = (signed_at.timestamp(), dict(data), nested)
        with self._lock:
            if len(self._verified) >= self._remembered:
                del self._verified[next(iter(self._verified))]
            self._verified[header] = held
        return held

    def save_session(self, app: Flask, session: SessionMixin, response) -> None:
        """Flask's, except that a session left as it was only adds ``Vary: Cookie`` (when it was read)."""
        refresh = session.permanent and app.config["SESSION_REFRESH_EACH_REQUEST"]
        if session.modified or (session and refresh):
            super().save_session(app, session, response)
        elif session.accessed:
            if "Vary" in response.headers:
                response.vary.add("Cookie")
            else:
                response.headers["Vary"] = "Cookie"
