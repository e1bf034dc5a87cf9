"""The signed session cookie (Flask's), with each cookie's signature checked once rather than on every request.

Checking the HMAC of the cookie (and deriving its key) is the largest share of a trivial
logged-in request's CPU, and a follower sends the same cookie on every request (it is
signed at sign-in, not again on every answer: ``SESSION_REFRESH_EACH_REQUEST`` is off).
So the cookies whose signature checked out are remembered, exactly as sent, with the time
they were signed: the same string again is the same verdict. The cookie's lifetime is
still checked on every request, and a cookie not remembered (a new, changed or forged
one) goes through Flask's check unchanged. Changing ``SECRET_KEY`` forgets every cookie.
"""

from __future__ import annotations

import threading
import time

from flask import Flask, Request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from itsdangerous import BadSignature

REMEMBERED = 20_000  # cookies (about 300 bytes each)


class SessionCookie(SecureCookieSessionInterface):
    """Flask's signed cookie session; a cookie already verified is not verified again."""

    def __init__(self, remembered: int = REMEMBERED) -> None:
        self._remembered = remembered
        self._verified: dict[str, tuple[float, str]] = {}  # cookie -> (signed at, payload as JSON text)
        self._keys: tuple | None = None
        self._lock = threading.Lock()

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        cookie = request.cookies.get(self.get_cookie_name(app))
        keys = (app.secret_key, tuple(app.config.get("SECRET_KEY_FALLBACKS") or ()))
        if not cookie or not app.secret_key:
            return super().open_session(app, request)
        if keys != self._keys:
            with self._lock:
                self._verified, self._keys = {}, keys
        max_age = app.permanent_session_lifetime.total_seconds()
        held = self._verified.get(cookie)
        if held is None:
            held = self._verify(app, cookie, max_age)
            if held is None:
                return self.session_class()
        signed_at, payload = held
        if not 0 <= time.time() - signed_at <= max_age:
            return self.session_class()  # expired, as Flask's own check would say
        return self.session_class(self.serializer.loads(payload))

    def _verify(self, app: Flask, cookie: str, max_age: float) -> tuple[float, str] | None:
        """Flask's check of ``cookie``; remembered when it passes."""
        signer = self.get_signing_serializer(app)
        try:
            data, signed_at = signer.loads(cookie, max_age=int(max_age), return_timestamp=True)
        except BadSignature:
            return None
        held = (signed_at.timestamp(), self.serializer.dumps(data))
        with self._lock:
            if len(self._verified) >= self._remembered:
                del self._verified[next(iter(self._verified))]
            self._verified[cookie] = held
        return held
