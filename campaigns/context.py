"""The collaborators of one unit of work, of one type everywhere.

A request, an RQ job and a command each work with one :class:`Context`: the
process's collaborators (``campaigns.runtime.Runtime``, bound once per process by
``app.create_app``) plus the database session of that unit of work. It is made in
one place, :meth:`campaigns.runtime.Runtime.context`; services take it as their
first argument and read only what they need.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from .clock import Clock
from .crypto import SecretBox


@dataclass(frozen=True)
class Context:
    """The session, Redis client, clock, secret box, settings and queue a service works with."""

    session: Session
    redis: Any
    clock: Clock
    secrets: SecretBox
    settings: Mapping[str, Any]
    queue: Any = None

    def wechat_client(self, account) -> Any:
        """The account's WeChat API client (through wechatpy, on the configured base URLs)."""
        from .wechat.client import client_for

        return client_for(self, account)
