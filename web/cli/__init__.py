"""``flask`` commands, grouped by subject."""
from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    """Add every command group to ``app.cli``."""
    from .demo import demo

    app.cli.add_command(demo)
