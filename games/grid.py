"""九宫格, the grid: eight prize cells around a start button. A light runs round the cells until the
server answers, then slows down and stops on a cell of the awarded tier."""

from flask_babel import lazy_gettext as _l

from .registry import GameType, register

CELLS = 8


def grid_cells(tiers: list[dict]) -> list[str]:
    """The tier of each cell, clockwise from the top left: every prize, the fallback between them.

    Up to four prizes alternate with the fallback, the pattern repeated round the eight cells (like
    the wheel's segments); more prizes take a cell each and the fallback fills the cells left over,
    spread between them. The document validation keeps a grid to at most eight tiers.
    """
    prizes = [t["tier"] for t in tiers if not t["fallback"]]
    fallback = [t["tier"] for t in tiers if t["fallback"]]
    if not prizes or (fallback and 2 * len(prizes) <= CELLS):
        pattern = [cell for tier in prizes for cell in (tier, *fallback)] or fallback
        return (pattern * CELLS)[:CELLS] if pattern else []
    spare = CELLS - len(prizes)
    cells: list[str] = []
    for n, tier in enumerate(prizes):
        cells.append(tier)
        cells += fallback * ((n + 1) * spare // len(prizes) - n * spare // len(prizes))
    return (cells * CELLS)[:CELLS]


GRID = register(
    GameType(
        key="grid",
        label=_l("Lucky grid"),
        template="games/grid.html",
        script="js/grid.js",
        style="css/grid.css",
        extra=lambda tiers: {"cells": grid_cells(tiers)},
        max_tiers=CELLS,
    )
)
