"""The game-type registry: the only list of games. A new game is one module registered here, with its
template, script and CSS; the document validation, the API's enum, the console's picker and the docs
all read this list (the domain through ``campaigns.catalog.gamekinds``, which ``register`` fills in).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from campaigns.catalog.gamekinds import register_kind


@dataclass(frozen=True)
class GameType:
    """What the pages and the console need to know about a game type."""

    key: str
    label: Any  # a lazy gettext string, translated when rendered
    template: str
    script: str
    style: str
    # Extra page data of this game, computed from the page's tier list (e.g. the wheel's segments).
    extra: Callable[[list[dict]], dict] | None = None
    # The most prize tiers the game can show (None: no limit); the document validation refuses more.
    max_tiers: int | None = None
    # How the console's editor sketches the game: "wheel" (a disc of the odds) or "card" (a labelled card).
    preview: str = "card"


GAMES: dict[str, GameType] = {}


def register(game: GameType) -> GameType:
    """Add ``game`` to the registry under its key, and its kind to the domain's list."""
    if game.key in GAMES:
        raise ValueError(f"game {game.key!r} registered twice")
    register_kind(game.key, max_tiers=game.max_tiers)
    GAMES[game.key] = game
    return game


def get(key: str) -> GameType:
    """The registered game type ``key``; ``KeyError`` if there is none."""
    return GAMES[key]
