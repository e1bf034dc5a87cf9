"""The fairness protocol as pure functions (docs/fairness.md is the specification).

Nothing here touches Redis, SQL or a clock: the draw engine, the verifier, the
publish step and the tests all call these same functions on plain values.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import time
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

CLIENT_SEED = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
REASONS = ("moment", "out_of_stock", "daily_limit", "player_win_limit")


def canonical(document: Any) -> bytes:
    """The canonical JSON bytes of a rules document (sorted keys, no spaces, UTF-8)."""
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def sha256_hex(data: bytes | str) -> str:
    """Lower-case hex SHA-256 of ``data`` (text is encoded as UTF-8)."""
    return hashlib.sha256(data.encode("utf-8") if isinstance(data, str) else data).hexdigest()


def seed_hash(server_seed: str) -> str:
    """The public commitment to a server seed: SHA-256 of its ASCII text."""
    return sha256_hex(server_seed.encode("ascii"))


def rules_hash(document: dict) -> str:
    """SHA-256 hex of the canonical rules document."""
    return sha256_hex(canonical(document))


def valid_client_seed(client_seed: Any) -> bool:
    """Whether ``client_seed`` is 1–64 characters of ``[A-Za-z0-9_-]``."""
    return isinstance(client_seed, str) and bool(CLIENT_SEED.match(client_seed))


def digest(server_seed: str, client_seed: str, nonce: int) -> bytes:
    """HMAC-SHA256(key = server seed ASCII, message = ``"{client_seed}:{nonce}"``)."""
    return hmac.digest(server_seed.encode("ascii"), f"{client_seed}:{nonce}".encode(), "sha256")


def u_of(digest_bytes: bytes) -> int:
    """The first 8 bytes of a digest as a big-endian unsigned integer."""
    return int.from_bytes(digest_bytes[:8], "big")


def pick(u: int, total_weight: int) -> int:
    """``(u * W) >> 64``: a number in ``[0, W)`` for any ``W >= 1``."""
    return (u * total_weight) >> 64


def total_weight(prizes: Sequence[dict]) -> int:
    """W: the sum of every tier's weight, fallback included."""
    return sum(int(p["weight"]) for p in prizes)


def tier_for_pick(prizes: Sequence[dict], picked: int) -> str:
    """The first tier, in rules order, whose cumulative weight exceeds ``picked``."""
    cumulative = 0
    for prize in prizes:
        cumulative += int(prize["weight"])
        if cumulative > picked:
            return prize["tier"]
    raise ValueError("pick is not below the total weight")


def drawn_tier(server_seed: str, client_seed: str, nonce: int, prizes: Sequence[dict]) -> str:
    """The tier the weighted pick lands on for one draw."""
    return tier_for_pick(prizes, pick(u_of(digest(server_seed, client_seed, nonce)), total_weight(prizes)))


def red_packet_amount(digest_bytes: bytes, amount: dict) -> int:
    """A red packet's amount in fen within the rules' ``{"min", "max"}`` (fen): bytes 8-15 of the draw's digest.

    The tier uses bytes 0-7, so the amount is as fixed by the commitment as the tier is.
    """
    low, high = int(amount["min"]), int(amount["max"])
    return low + ((int.from_bytes(digest_bytes[8:16], "big") * (high - low + 1)) >> 64)


def moment_ms(server_seed: str, tier: str, k: int, start_ms: int, end_ms: int) -> int:
    """Release instant (ms since epoch) of unit ``k`` of a ``moments`` tier."""
    mac = hmac.new(server_seed.encode("ascii"), f"moment:{tier}:{k}".encode(), hashlib.sha256).digest()
    return start_ms + ((u_of(mac) * (end_ms - start_ms)) >> 64)


def moments(server_seed: str, tier: str, stock: int, start_ms: int, end_ms: int, first: int = 0) -> list[int]:
    """Release instants of units ``first`` … ``stock - 1`` of a ``moments`` tier."""
    return [moment_ms(server_seed, tier, k, start_ms, end_ms) for k in range(first, stock)]


def iso_ms(ms: int) -> str:
    """``YYYY-MM-DDTHH:MM:SS.mmmZ`` of milliseconds since the epoch."""
    t = time.gmtime(ms // 1000)  # a tenth of the cost of a datetime and strftime, on every answer
    return (
        f"{t.tm_year:04d}-{t.tm_mon:02d}-{t.tm_mday:02d}T{t.tm_hour:02d}:{t.tm_min:02d}:{t.tm_sec:02d}.{ms % 1000:03d}Z"
    )


def parse_iso_ms(text: str) -> int:
    """Milliseconds since the epoch of a ``YYYY-MM-DDTHH:MM:SS.mmmZ`` timestamp."""
    at = datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)
    return (at - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(milliseconds=1)


def day_boundaries(tz_name: str, start_ms: int, end_ms: int) -> tuple[list[int], list[str]]:
    """Local midnights (UTC ms) after the start up to the end, and the label of every local day.

    ``labels[i]`` names the day that begins after ``i`` boundaries have passed, so a
    draw at instant t falls on ``labels[count of boundaries <= t]``. Daylight-saving
    changes are handled by converting each local midnight through zoneinfo.
    """
    zone = ZoneInfo(tz_name)
    epoch = datetime(1970, 1, 1, tzinfo=UTC)
    day = (epoch + timedelta(milliseconds=start_ms)).astimezone(zone).date()
    labels = [day.isoformat()]
    bounds: list[int] = []
    while True:
        day = day + timedelta(days=1)
        midnight = datetime(day.year, day.month, day.day, tzinfo=zone)
        ms = (midnight - epoch) // timedelta(milliseconds=1)
        if ms > end_ms:
            return bounds, labels
        bounds.append(ms)
        labels.append(day.isoformat())


def local_day(tz_name: str, ms: int) -> str:
    """The campaign-local calendar day (``YYYY-MM-DD``) of an instant."""
    at = datetime(1970, 1, 1, tzinfo=UTC) + timedelta(milliseconds=ms)
    return at.astimezone(ZoneInfo(tz_name)).date().isoformat()


def rules_document(
    *,
    slug: str,
    timezone_name: str,
    start_ms: int,
    end_ms: int,
    prizes: Iterable[dict],
    fallback_tier: str,
    plays_per_day: int | None,
    plays_total: int | None,
    wins_total: int | None,
) -> dict:
    """The rules document in its published shape (see docs/fairness.md, "Formats")."""
    keys = ("tier", "name", "weight", "stock", "release", "coupon", "value", "currency")
    # A red packet's random amount range is committed too, only where a tier has one.
    optional = ("amount",)
    return {
        "slug": slug,
        "timezone": timezone_name,
        "start": iso_ms(start_ms),
        "end": iso_ms(end_ms),
        "prizes": [
            {key: prize[key] for key in keys} | {key: prize[key] for key in optional if key in prize}
            for prize in prizes
        ],
        "fallback_tier": fallback_tier,
        "limits": {"plays_per_day": plays_per_day, "plays_total": plays_total, "wins_total": wins_total},
    }


def with_stock(document: dict, stock: dict[str, int]) -> dict:
    """A copy of a rules document with new stock totals (a top-up version)."""
    prizes = [dict(p, stock=stock.get(p["tier"], p["stock"])) for p in document["prizes"]]
    return dict(document, prizes=prizes)
