"""The remembered session cookie: verified once, yet expiry, forgery and a new key act as in Flask's own check."""

from __future__ import annotations

import time
from datetime import timedelta

from flask import request
from itsdangerous import TimestampSigner, URLSafeTimedSerializer

KEY = "follower:7"


def signed_ago(app, data: dict, hours: float) -> str:
    """``data`` signed the way Flask signs the session, ``hours`` ago."""
    settings = app.session_interface
    ago = int(time.time() - hours * 3600)

    class Earlier(TimestampSigner):
        def get_timestamp(self) -> int:
            return ago

    return URLSafeTimedSerializer(
        app.secret_key,
        salt=settings.salt,
        serializer=settings.serializer,
        signer=Earlier,
        signer_kwargs={"key_derivation": settings.key_derivation, "digest_method": settings.digest_method},
    ).dumps(data)


def opened(app, cookie: str, header: str | None = None) -> dict:
    """The session the app opens for a request carrying ``cookie`` (in the ``Cookie`` header ``header``)."""
    with app.test_request_context(headers={"Cookie": header or f"session={cookie}"}):
        return dict(app.session_interface.open_session(app, _request()))


def _request():
    return request._get_current_object()


def test_a_remembered_cookie_still_expires_and_a_changed_one_is_checked_again(app):
    cookie = signed_ago(app, {KEY: "o-alice"}, hours=2)
    assert opened(app, cookie) == {KEY: "o-alice"}
    assert f"session={cookie}" in app.session_interface._verified  # remembered, by the whole header
    assert opened(app, cookie) == {KEY: "o-alice"}
    # Each answer is a fresh session: changing it changes nothing remembered.
    with app.test_request_context(headers={"Cookie": f"session={cookie}"}):
        app.session_interface.open_session(app, _request())[KEY] = "o-mallory"
    assert opened(app, cookie) == {KEY: "o-alice"}
    forged = cookie[:-2] + ("AA" if not cookie.endswith("AA") else "BB")
    assert opened(app, forged) == {}
    app.permanent_session_lifetime = timedelta(hours=1)  # now the remembered cookie is too old
    assert opened(app, cookie) == {}


def test_a_cookie_past_its_lifetime_is_refused_on_first_sight(app):
    assert opened(app, signed_ago(app, {KEY: "o-alice"}, hours=73)) == {}  # SESSION_HOURS is 72


def test_a_new_secret_key_forgets_every_remembered_cookie(app):
    cookie = signed_ago(app, {KEY: "o-alice"}, hours=1)
    assert opened(app, cookie) == {KEY: "o-alice"}
    app.secret_key = "a new secret"
    assert opened(app, cookie) == {}


def test_a_header_with_other_cookies_is_checked_on_its_own_and_a_nested_value_is_never_shared(app):
    cookie = signed_ago(app, {KEY: "o-alice", "steps": {"seen": [1]}}, hours=1)
    first = opened(app, cookie)
    assert first == {KEY: "o-alice", "steps": {"seen": [1]}}
    first["steps"]["seen"].append(2)  # a view changing a nested value changes only its own session
    assert opened(app, cookie)["steps"] == {"seen": [1]}
    # The same cookie beside another is another header: checked again, with the same verdict.
    assert opened(app, cookie, header=f"theme=dark; session={cookie}")[KEY] == "o-alice"
    forged = cookie[:-2] + ("AA" if not cookie.endswith("AA") else "BB")
    assert opened(app, forged, header=f"theme=dark; session={forged}") == {}
