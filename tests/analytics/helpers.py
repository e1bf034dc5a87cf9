"""Hand-made event sets for the analytics tests."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from campaigns.analytics.load import columns_from_rows
from campaigns.clock import to_ms

BEIJING = ZoneInfo("Asia/Shanghai")


def beijing_ms(text: str) -> int:
    """UTC ms of a Beijing wall-clock time written ``YYYY-MM-DD HH:MM[:SS]``."""
    return to_ms(datetime.fromisoformat(text).replace(tzinfo=BEIJING))


def columns(events: list[tuple], tiers=("t1", "t2", "none"), fallback="none", scenes=("poster",)):
    """Columns from ``(type, openid, beijing time, data)`` tuples through the real loader."""
    rows = [(kind, openid, beijing_ms(at), data) for kind, openid, at, data in events]
    return columns_from_rows(rows, list(tiers), fallback, set(scenes))


def draw_event(openid: str, at: str, tier: str = "none") -> tuple:
    """A draw event awarding ``tier``."""
    return ("draw", openid, at, {"awarded_tier": tier, "drawn_tier": tier})
