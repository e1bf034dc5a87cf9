"""The console in the staff member's language: Simplified Chinese first, English for browsers that prefer it.

Templates mark their own words with ``_()``. Messages from the domain (``catalog.messages.msg``)
arrive as English text that keeps its template; :func:`translate` looks the template up in
the catalogue and fills the values in, so a refusal reads in the console's language while
the JSON API keeps the English text.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from campaigns.catalog.messages import Message
from campaigns.errors import CampaignError
from games.registry import GAMES
from web.errors import error_response

from . import bp

STATUS_LABELS = {
    "draft": _l("draft"),
    "scheduled": _l("scheduled"),
    "live": _l("live"),
    "paused": _l("paused"),
    "ended": _l("ended"),
    "archived": _l("archived"),
}


@bp.app_template_filter("tr")
def translate(text: Any) -> Any:
    """A domain message in the request's language (text the catalogue does not know stays as it is)."""
    if isinstance(text, Message):
        return gettext(text.template).format(**text.values)
    if isinstance(text, str) and text:
        return gettext(text)
    return text


@bp.app_template_filter("status_label")
def status_label(status: str) -> str:
    """A campaign state in the request's language."""
    return str(STATUS_LABELS.get(status, status))


@bp.app_template_filter("game_label")
def game_label(game: str) -> str:
    """A game type in the request's language, as its module in the game registry names it."""
    return str(GAMES[game].label) if game in GAMES else game


@bp.app_context_processor
def game_types() -> dict[str, Any]:
    """The registered games, for the editor's game picker."""
    return {"game_types": GAMES.values()}


@bp.errorhandler(CampaignError)
def translated_error(exc: CampaignError):
    """A refusal on a console page, in the staff member's language, in the one error shape."""
    fields = {key: translate(value) for key, value in exc.fields.items()}
    return error_response(exc.code, translate(exc.message), exc.status, fields)
