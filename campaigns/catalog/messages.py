"""Messages for staff in the campaign's words: English text that keeps its template for translation.

The domain imports nothing from Flask, so it cannot translate. It writes each message a
marketer may read with :func:`msg` (which ``pybabel extract -k msg`` collects, see
babel.cfg); the console translates the template and fills in the values
(``web/console/i18n.py``). As a ``str`` a message is its English text, which is what the
JSON API, the logs and the command line show.
"""

from __future__ import annotations

from typing import Any


class Message(str):
    """An English message that remembers its ``template`` and ``values``."""

    template: str
    values: dict[str, Any]

    def __new__(cls, template: str, **values: Any) -> Message:
        text = super().__new__(cls, template.format(**values) if values else template)
        text.template, text.values = template, values
        return text

    def __reduce__(self):
        return (_rebuild, (self.template, self.values))


def _rebuild(template: str, values: dict[str, Any]) -> Message:
    return Message(template, **values)


def msg(template: str, **values: Any) -> Message:
    """Mark ``template`` for translation; ``{name}`` placeholders are filled from ``values``."""
    return Message(template, **values)
