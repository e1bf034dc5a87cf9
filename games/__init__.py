"""The follower-facing H5 games: one blueprint, one module per game type."""

import importlib
import pkgutil

from flask import Blueprint

bp = Blueprint("games", __name__, url_prefix="/c")

# Every module of the package, so a game's module registers itself without being listed anywhere
# (and the routes of views, play and rules are added to the blueprint).
for _module in pkgutil.iter_modules(__path__):
    importlib.import_module(f"{__name__}.{_module.name}")


@bp.record_once
def _keep_pages(state) -> None:
    from .pages import GamePages

    state.app.extensions["game_pages"] = GamePages()
