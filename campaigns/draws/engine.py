"""Running one draw: compute the pick for the player's nonce, then let the Lua script decide atomically.

The server seed never goes to Redis. Python computes the HMAC pick for the nonce it
believes comes next; the script checks that nonce (and the client seed) under its
atomic step and answers ``retry`` with the real ones when they are stale, so the
nonce is still assigned atomically. The last known nonce of each player is kept in
a small per-process cache, so a draw is one round trip in the common case.
"""

from __future__ import annotations

import bisect
import functools
import hashlib
import logging
import secrets
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import redis as redis_lib

from .. import events
from ..errors import Busy, Ended, IdempotencyKeyReused, InvalidInput, LimitReached, NotStarted, Paused, RateLimited
from ..keys import CampaignKeys
from ..redisconn import registered_script
from . import fairness, inventory

log = logging.getLogger(__name__)

SCRIPT = (Path(__file__).with_name("draw.lua")).read_text()
MAX_ATTEMPTS = 8
HINTS_MAX = 50_000
IDEMPOTENCY_KEY_CHARS = fairness.CLIENT_SEED  # the same alphabet, checked for 8–64 characters below

REFUSALS = {
    "not_started": (NotStarted, "The campaign has not started yet."),
    "paused": (Paused, "The campaign is paused."),
    "ended": (Ended, "The campaign has ended."),
    "limit_reached": (LimitReached, "You have no plays left for now."),
    "rate_limited": (RateLimited, "Slow down a little and try again."),
    "not_published": (Busy, "The campaign's prize inventory is not available right now."),
    "idempotency_key_reused": (
        IdempotencyKeyReused,
        "This Idempotency-Key was already used for a draw with another request body; use a new key.",
    ),
}


@dataclass(frozen=True)
class Fairness:
    """What Python needs to compute picks: the secret seed and the (frozen) weighted prize table."""

    server_seed: str
    prizes: Sequence[dict]
    fallback: str
    # Where per-day counts matter: the campaign-local days as (start ms, label), sorted; else empty.
    days: Sequence[tuple[int, str]] = ()

    def day_of(self, ms: int) -> str:
        """The label of the local day of ``ms`` ("" before the campaign or when no per-day count matters)."""
        i = bisect.bisect_right(self.days, (ms, "\uffff")) - 1
        return self.days[i][1] if i >= 0 else ""


RESULT_FIELDS = events.DRAW_ANSWER


def parse_result(text: str) -> dict[str, Any]:
    """The script's answer as a dict: a draw (``RESULT_FIELDS``), ``{"refused": code}`` or ``{"retry": True, ...}``."""
    kind, _, rest = text.partition(",")
    if kind == "refused":
        return {"refused": rest}
    if kind == "retry":
        nonce, seed = rest.split(",")
        return {"retry": True, "nonce": int(nonce), "client_seed": seed}
    values = dict(zip(RESULT_FIELDS, rest.split(","), strict=False))
    return {k: int(v) if k in events.DRAW_NUMBERS else v for k, v in values.items()}


class _Hints:
    """A bounded, thread-safe cache of each player's (client seed, next nonce)."""

    def __init__(self, size: int = HINTS_MAX):
        self._items: OrderedDict[tuple[int, str], tuple[str, int]] = OrderedDict()
        self._size = size
        self._lock = threading.Lock()

    def get(self, key: tuple[int, str]) -> tuple[str, int] | None:
        with self._lock:
            return self._items.get(key)

    def put(self, key: tuple[int, str], value: tuple[str, int]) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self._size:
                self._items.popitem(last=False)


HINTS = _Hints()


def draw_script(redis) -> Any:
    """The registered draw script of a client."""
    return registered_script(redis, SCRIPT)


def check_idempotency_key(key: str | None) -> str:
    """The ``Idempotency-Key`` if it is 8–64 characters of ``[A-Za-z0-9_-]``, else InvalidInput."""
    if not key or not 8 <= len(key) <= 64 or not IDEMPOTENCY_KEY_CHARS.match(key):
        raise InvalidInput(
            "Send an Idempotency-Key header of 8 to 64 letters, digits, '-' or '_'.",
            fields={"Idempotency-Key": "invalid"},
        )
    return key


def check_client_seed(client_seed: Any) -> str:
    """The client seed if it is 1–64 characters of ``[A-Za-z0-9_-]``, else InvalidInput."""
    if not fairness.valid_client_seed(client_seed):
        raise InvalidInput(
            "The client seed must be 1 to 64 letters, digits, '-' or '_'.", fields={"client_seed": "invalid"}
        )
    return client_seed


def fingerprint(client_seed: str | None) -> str:
    """The short fingerprint of a draw request's body, stored with its replay result.

    The client seed is the body's only input to a draw (other keys are ignored), so two
    bodies ask for the same draw exactly when they send the same client seed or none.
    """
    if client_seed is None:
        return ""
    return hashlib.blake2b(client_seed.encode(), digest_size=6).hexdigest()


def player_state(redis, campaign_id: int, player: str) -> tuple[str | None, int]:
    """The player's current client seed (None before their first visit) and next nonce."""
    state = inventory.player_state(redis, campaign_id, player)
    return state.client_seed, state.nonce


def new_client_seed() -> str:
    """A random client seed (16 characters of the allowed alphabet)."""
    return secrets.token_urlsafe(12)


@functools.lru_cache(maxsize=4096)
def script_keys(campaign_id: int) -> tuple[str, ...]:
    """The draw script's KEYS for a campaign."""
    keys = CampaignKeys(campaign_id)
    return keys.state, keys.events, keys.moments_prefix, keys.codes_prefix, keys.days


def _first_guess(redis, campaign_id: int, player: str, client_seed: str | None) -> tuple[str, int]:
    hint = HINTS.get((campaign_id, player))
    if hint is None:
        seed, nonce = player_state(redis, campaign_id, player)
        hint = (seed or new_client_seed(), nonce)
    return (client_seed or hint[0]), hint[1]


def run(
    redis,
    campaign_id: int,
    fair: Fairness,
    *,
    player: str,
    openid: str,
    idempotency_key: str,
    client_seed: str | None = None,
    at_ms: int | None = None,
    now_ms: int | None = None,
) -> dict[str, Any]:
    """Draw once for ``player``; return the script's result (a replay for a repeated key).

    ``client_seed`` (when given) becomes the player's seed from this draw on. ``at_ms``
    replaces the Redis server's clock; only tests and simulations pass it. ``now_ms`` is
    the caller's clock, from which it guesses the campaign-local day (the script checks
    the guess against its own instant; without one it looks the day up).
    """
    if client_seed is not None:
        check_client_seed(client_seed)
    script = draw_script(redis)
    keys = script_keys(campaign_id)
    seed, nonce = _first_guess(redis, campaign_id, player, client_seed)
    # The script reads the day's counts with everything else when this guess of the day is right.
    guess_ms = at_ms if at_ms is not None else now_ms
    day = "" if guess_ms is None else fair.day_of(guess_ms)
    mode = "set" if client_seed else "expect"
    request_fingerprint = fingerprint(client_seed)
    for _ in range(MAX_ATTEMPTS):
        tier = fairness.drawn_tier(fair.server_seed, seed, nonce, fair.prizes)
        args = [
            player,
            openid,
            seed,
            mode,
            nonce,
            tier,
            idempotency_key,
            "" if at_ms is None else at_ms,
            campaign_id,
            fair.fallback,
            day,
            request_fingerprint,
        ]
        try:
            result = parse_result(script(keys=keys, args=args))
        except redis_lib.RedisError as exc:
            log.warning("draw script failed", extra={"campaign": campaign_id, "error": repr(exc)})
            raise Busy("The prize draw is unavailable right now; please try again.") from exc
        if result.get("retry"):
            nonce = int(result["nonce"])
            seed = client_seed or result["client_seed"]
            continue
        refused = result.get("refused")
        if refused:
            error, message = REFUSALS[refused]
            raise error(message)
        HINTS.put((campaign_id, player), (result["client_seed"], int(result["nonce"]) + 1))
        return result
    raise Busy("Too many plays at once; please try again.")
