"""``flask`` commands, grouped by subject."""

from __future__ import annotations

import importlib

from flask import Flask

# Modules that add commands to the groups in ``groups``; one line per topic.
COMMAND_MODULES: tuple[str, ...] = (
    "web.cli.draws",
    "web.cli.staff",
    "web.cli.campaign_files",
    "web.cli.wechat_sim",
    "web.cli.analytics",
)


def register(app: Flask) -> None:
    """Add every command group to ``app.cli``."""
    from .demo import demo
    from .groups import campaigns_cli, staff_cli, wechat_sim_cli

    for name in COMMAND_MODULES:
        importlib.import_module(name)
    for group in (demo, campaigns_cli, staff_cli, wechat_sim_cli):
        app.cli.add_command(group)
