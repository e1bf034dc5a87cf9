"""The process's collaborators, bound once per process, and the one maker of a :class:`Context`.

RQ jobs take only ids (never ORM objects); they find their session factory, Redis
client, clock and secret box here. ``app.create_app`` binds them in the web app
and in the worker, so both run the same code with the same configuration; a request,
a job or a command turns them into its :class:`~campaigns.context.Context` with
:meth:`Runtime.context`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from .clock import Clock
from .context import Context
from .crypto import SecretBox


@dataclass
class Runtime:
    session_factory: Callable[[], Session]
    redis: Any
    clock: Clock
    secrets: SecretBox
    queue: Any = None
    settings: dict[str, Any] = field(default_factory=dict)
    # The per-process cache of published campaigns the draw path reads (draws.published).
    published: Any = None
    # The per-process books the webhook answers pushes from (wechat.book).
    replies: Any = None

    def context(self, session: Session) -> Context:
        """The collaborators of one unit of work on ``session``."""
        return Context(session, self.redis, self.clock, self.secrets, self.settings, self.queue)


_current: Runtime | None = None


def bind(runtime: Runtime) -> None:
    """Make ``runtime`` the process's collaborators for jobs."""
    global _current
    _current = runtime


def current() -> Runtime:
    """The collaborators bound by :func:`bind`."""
    if _current is None:
        raise RuntimeError("campaigns.runtime is not bound; create the app first (worker.py does)")
    return _current
