"""Refuse NUL characters anywhere a request carries text, before any view runs.

No field of the platform may hold one, and PostgreSQL cannot store one in a text
column (it would fail the query with a 500 mid-request). So a NUL in the path, the
query string, a form field or a JSON body is a clear 400 ``invalid_input`` that
changes nothing. File uploads and the WeChat webhook's XML are left to their own
parsers (an image is binary; XML forbids NUL and its parser refuses it).
"""

from __future__ import annotations

from flask import Flask, request

from campaigns.errors import InvalidInput

FORM_TYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})


def carries_nul() -> str | None:
    """The part of the current request that carries a NUL character, or None."""
    if "\x00" in request.path:
        return "path"
    if b"\x00" in request.query_string or b"%00" in request.query_string:
        return "query"
    if request.is_json:
        body = request.get_data(cache=True)
        if b"\x00" in body or b"\\u0000" in body:
            return "body"
    elif request.mimetype in FORM_TYPES:
        if any("\x00" in key or "\x00" in value for key, value in request.form.items(multi=True)):
            return "form"
    return None


def register(app: Flask) -> None:
    """Attach the check to ``app``."""

    @app.before_request
    def refuse_nul():
        where = carries_nul()
        if where:
            raise InvalidInput(
                "The request contains a NUL character, which no field accepts.", fields={where: "invalid"}
            )
