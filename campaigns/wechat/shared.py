"""Credentials shared by every process through Redis, refreshed by one process at a time.

When a cached access token or ticket is missing (expired, or invalidated after WeChat
refused it) every process that needs it races for a short lock; the winner fetches a
new one and the others wait for it, so expiry never causes a storm of fetches.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable

from ..errors import Busy
from ..keys import WeChatKeys

# Compare-and-delete: only the holder releases a lock, only a stale value is invalidated.
_DELETE_IF_EQUAL = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0"

LOCK_MS = 10_000
WAIT_SECONDS = 8.0


def cache_ttl(expires_in: int) -> int:
    """Seconds to keep a credential: refresh it well before WeChat expires it."""
    return max(1, expires_in - min(300, expires_in // 4))


def get_or_fetch(redis, key: str, fetch: Callable[[], tuple[str, int]]) -> str:
    """The cached value of ``key``, or one fresh from ``fetch`` (``(value, expires_in)``) made once."""
    value = redis.get(key)
    if value:
        return value
    lock, holder = WeChatKeys.lock(key), secrets.token_hex(8)
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        if redis.set(lock, holder, nx=True, px=LOCK_MS):
            try:
                # Another process may have refreshed between our read and our lock.
                value = redis.get(key)
                if not value:
                    value, expires_in = fetch()
                    redis.set(key, value, ex=cache_ttl(int(expires_in)))
                return value
            finally:
                redis.eval(_DELETE_IF_EQUAL, 1, lock, holder)
        time.sleep(0.03)
        value = redis.get(key)
        if value:
            return value
        if time.monotonic() > deadline:
            raise Busy("WeChat is slow to answer; please try again in a moment.")


def invalidate(redis, key: str, stale: str) -> None:
    """Forget ``key`` if it still holds ``stale`` (a newer value is kept)."""
    redis.eval(_DELETE_IF_EQUAL, 1, key, stale)
