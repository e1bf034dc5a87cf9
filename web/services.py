"""How a view or a command reaches its collaborators: the process's Runtime and the request's Context."""

from __future__ import annotations

from flask import current_app

from campaigns.context import Context
from campaigns.runtime import Runtime
from extensions import db


def services() -> Runtime:
    """The process's collaborators (session factory, Redis, clock, secrets, queue, settings)."""
    return current_app.extensions["services"]


def context() -> Context:
    """The collaborators of this request or command, on the app's database session."""
    return services().context(db.session)
