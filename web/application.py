"""The Flask class the platform runs on: Flask, with one per-request cost paid once instead.

Flask asks of every view and hook, on every request, whether it is a coroutine function
(``inspect.iscoroutinefunction``, seven times for a follower's request). The answer never
changes, so it is worked out the first time and remembered.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask


class CampaignFlask(Flask):
    """Flask, with :meth:`ensure_sync` remembered per function."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._synced: dict[Callable, Callable] = {}

    def ensure_sync(self, func: Callable) -> Callable:
        try:
            return self._synced[func]
        except KeyError:
            synced = self._synced[func] = super().ensure_sync(func)
            return synced
        except TypeError:  # an unhashable callable: asked every time, as Flask does
            return super().ensure_sync(func)
