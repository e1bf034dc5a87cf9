"""Refuse NUL characters, and JSON too deep or too large to parse safely, before any view runs.

No field of the platform may hold one, and PostgreSQL cannot store one in a text
column (it would fail the query with a 500 mid-request). So a NUL in the path, the
query string, a form field or a JSON body is a clear 400 ``invalid_input`` that
changes nothing. File uploads and the WeChat webhook's XML are left to their own
parsers (an image is binary; XML forbids NUL and its parser refuses it).

A JSON body is measured before anything parses it: Python's parser, the schema check and
the audit log all recurse once per level, so ``[`` nested a thousand deep was a
``RecursionError`` (a 500) on every JSON endpoint. No body the platform accepts is deeper
than a few levels or larger than a campaign document, so :data:`JSON_MAX_DEPTH` and
:data:`JSON_MAX_BYTES` are far above any real one and far below any harm.
"""

from __future__ import annotations

import re

from flask import Flask, Request, request

from campaigns.errors import InvalidInput

FORM_TYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})
# A campaign document (the largest JSON body) is a few kilobytes and four levels deep.
JSON_MAX_BYTES = 256 * 1024
JSON_MAX_DEPTH = 32
_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_NOT_BRACKET = re.compile(rb"[^\[\]{}]+")
_INNERMOST = re.compile(rb"\[\]|\{\}")


def json_depth_exceeds(body: bytes, limit: int = JSON_MAX_DEPTH) -> bool:
    """Whether ``body`` nests arrays and objects deeper than ``limit``, measured without recursion.

    Strings are removed first (a bracket inside one is text), then each pass drops the
    innermost empty pairs: a body ``limit`` deep is empty after ``limit`` passes. Brackets
    that never pair up are malformed JSON, refused the same way.
    """
    brackets = _NOT_BRACKET.sub(b"", _STRING.sub(b"", body))
    for _ in range(limit):
        if not brackets:
            return False
        brackets, removed = _INNERMOST.subn(b"", brackets)
        if not removed:
            return True
    return bool(brackets)


def carries_nul(req: Request) -> str | None:
    """The part of request ``req`` that carries a NUL character, or None.

    The path and the query string are read as the server handed them over (the path already
    percent-decoded, the query string not), so a request without a body parses nothing.
    """
    environ = req.environ
    if "\x00" in environ.get("PATH_INFO", ""):
        return "path"
    query = environ.get("QUERY_STRING", "")
    if "\x00" in query or "%00" in query:
        return "query"
    if not environ.get("CONTENT_TYPE"):
        return None
    if req.is_json:
        body = req.get_data(cache=True)
        if b"\x00" in body or b"\\u0000" in body:
            return "body"
    elif req.mimetype in FORM_TYPES:
        if any("\x00" in key or "\x00" in value for key, value in req.form.items(multi=True)):
            return "form"
    return None


def refuse_unsafe_json(req: Request) -> None:
    """Raise InvalidInput when the JSON body of ``req`` is too large or too deeply nested to parse."""
    if not req.environ.get("CONTENT_TYPE") or not req.is_json:
        return
    if (req.content_length or 0) > JSON_MAX_BYTES:
        raise InvalidInput(_too_large(), fields={"body": "too large"})
    body = req.get_data(cache=True)
    if len(body) > JSON_MAX_BYTES:
        raise InvalidInput(_too_large(), fields={"body": "too large"})
    if json_depth_exceeds(body):
        raise InvalidInput(
            f"The JSON body nests deeper than {JSON_MAX_DEPTH} levels, or its brackets do not pair up.",
            fields={"body": "too deep"},
        )


def _too_large() -> str:
    return f"The JSON body is larger than {JSON_MAX_BYTES // 1024} KiB."


def register(app: Flask) -> None:
    """Attach the check to ``app``."""

    @app.before_request
    def refuse_bad_input():
        req = request._get_current_object()  # one lookup of the proxy for the checks' many reads
        refuse_unsafe_json(req)
        where = carries_nul(req)
        if where:
            raise InvalidInput(
                "The request contains a NUL character, which no field accepts.", fields={where: "invalid"}
            )
