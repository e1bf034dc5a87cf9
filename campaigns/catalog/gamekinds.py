"""The game kinds a campaign can be: the only list, filled in by the games themselves.

The domain imports neither Flask nor ``games/`` (whose modules need Flask for their
pages), yet the campaign document must know which games exist. So the list lives here,
plain, and each game module registers its kind into it (``games.registry.register``
does it for every game); the document's schema and validation, the API's OpenAPI
document and the console read it. ``app.py`` imports ``games/`` when it registers the
blueprint, so every process built by ``create_app`` (the web app, the worker, the CLI)
has the full list. A process that reads the list before any game registered gets an
error, never an empty list that would refuse every campaign.
"""

from __future__ import annotations

from dataclasses import dataclass

# The kinds' keys in registration order. The document's schema holds this very list, so
# it follows every registration (``document.SCHEMA["properties"]["game"]["enum"]``).
KEYS: list[str] = []


@dataclass(frozen=True)
class GameKind:
    """What the domain must know of a game: its key and how many prize tiers it can show."""

    key: str
    max_tiers: int | None = None


KINDS: dict[str, GameKind] = {}


def register_kind(key: str, *, max_tiers: int | None = None) -> GameKind:
    """Add the game kind ``key``; registering a key twice is an error."""
    if key in KINDS:
        raise ValueError(f"game kind {key!r} registered twice")
    kind = KINDS[key] = GameKind(key, max_tiers)
    KEYS.append(key)
    return kind


def known() -> dict[str, GameKind]:
    """Every registered game kind by key; raises when none is (``games/`` was never imported)."""
    if not KINDS:
        raise RuntimeError("no game kind is registered: import the games package (create_app does)")
    return KINDS
