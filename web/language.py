"""The language of a page or an answer: Simplified Chinese unless the browser prefers English.

Flask-Babel asks once per request; the answer depends only on the ``Accept-Language``
header, so each header's answer (a parsed Babel ``Locale``) is worked out once and kept.
"""

from __future__ import annotations

from functools import lru_cache

from babel import Locale
from flask import request
from werkzeug.datastructures import LanguageAccept
from werkzeug.http import parse_accept_header

DEFAULT = "zh_Hans_CN"
CHINESE, ENGLISH = Locale.parse(DEFAULT), Locale.parse("en")


def select_locale() -> Locale:
    """The current request's language."""
    return _best(request.environ.get("HTTP_ACCEPT_LANGUAGE", ""))


@lru_cache(maxsize=512)
def _best(header: str) -> Locale:
    preferred = parse_accept_header(header, LanguageAccept).best_match(["zh", "en"], default="zh")
    return ENGLISH if preferred == "en" else CHINESE
