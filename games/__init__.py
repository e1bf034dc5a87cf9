"""The follower-facing H5 games: one blueprint, one module per game type."""

from flask import Blueprint

bp = Blueprint("games", __name__, url_prefix="/c")

from . import play, rules, scratch, views, wheel  # noqa: E402,F401 - registers the games and routes
