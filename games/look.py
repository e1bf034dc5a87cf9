"""The marketer's look of a game page, made safe: colours checked, text contrast computed, images same-origin."""

from __future__ import annotations

import re
from typing import Any

COLOUR = re.compile(r"^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")
# A path on this origin with no characters that could end a CSS url() or an attribute.
LOCAL_PATH = re.compile(r"^/(?!/)[A-Za-z0-9/_.%~-]+$")
DARK, LIGHT, BLACK = "#1f1f1f", "#ffffff", "#000000"
MIN_CONTRAST = 4.5
DEFAULTS = {"background": "#fff7ec", "accent": "#c4161c"}


def _rgb(colour: str) -> tuple[int, int, int]:
    digits = colour[1:]
    if len(digits) == 3:
        digits = "".join(c * 2 for c in digits)
    return int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16)


def luminance(colour: str) -> float:
    """WCAG relative luminance of a ``#rgb`` / ``#rrggbb`` colour."""

    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(v) for v in _rgb(colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    """WCAG contrast ratio between two colours (1 to 21)."""
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def text_on(background: str) -> str:
    """A text colour with at least 4.5:1 contrast on ``background`` (black or white always reaches it)."""
    for candidate in (DARK, LIGHT):
        if contrast(candidate, background) >= MIN_CONTRAST:
            return candidate
    return max((BLACK, LIGHT), key=lambda colour: contrast(colour, background))


def same_origin(url: Any) -> str | None:
    """``url`` when it is a path on this app's origin, else None (other origins would taint the canvas)."""
    return url if isinstance(url, str) and LOCAL_PATH.match(url) else None


def _colour(look: dict[str, Any], key: str) -> str:
    value = look.get(key)
    return value if isinstance(value, str) and COLOUR.match(value) else DEFAULTS[key]


def page_look(look: dict[str, Any] | None) -> dict[str, str | None]:
    """CSS variables and the background image of a campaign's page; defaults where unset or invalid."""
    look = look or {}
    background = _colour(look, "background")
    accent = _colour(look, "accent")
    return {
        "style": f"--bg:{background};--fg:{text_on(background)};--accent:{accent};--on-accent:{text_on(accent)}",
        "background_image": same_origin(look.get("background_image")),
        "title": look.get("title") if isinstance(look.get("title"), str) else None,
    }
