"""The game-type registry: a new game is one module registered here, with its templates."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class GameType:
    """What the pages need to know about a game type."""

    key: str
    label: Any  # a lazy gettext string, translated when rendered
    template: str
    script: str
    # Extra page data of this game, computed from the page's tier list (e.g. the wheel's segments).
    extra: Callable[[list[dict]], dict] | None = None


GAMES: dict[str, GameType] = {}


def register(game: GameType) -> GameType:
    """Add ``game`` to the registry under its key."""
    if game.key in GAMES:
        raise ValueError(f"game {game.key!r} registered twice")
    GAMES[game.key] = game
    return game


def get(key: str) -> GameType:
    """The registered game type ``key``; ``KeyError`` if there is none."""
    return GAMES[key]
