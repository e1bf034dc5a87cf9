"""The raw events of a campaign for export: pseudonymous, streamed from the database in chunks."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..clock import from_ms, iso_ms
from .models import Event

# Fields of an event's data that are exported; coupon codes are left out (a code is worth a prize).
DATA_FIELDS = (
    "seq",
    "nonce",
    "drawn_tier",
    "awarded_tier",
    "reason",
    "rules_version",
    "tier",
    "scene",
    "channel",
    "via",
    "ch",
    "store",
    "staff",
)
# In place of the code, a keyed digest of it links a redemption to the draw that won it (the median delay).
EVENT_COLUMNS = ("id", "type", "ts", "player", *DATA_FIELDS, "code_ref")
CHUNK = 1000


def event_records(session: Session, campaign_id: int, pseudonym: Callable[[str], str]) -> Iterator[dict]:
    """Each event as a flat dict in time order, the openid replaced by ``pseudonym(openid)``."""
    query = (
        select(Event.event_id, Event.type, Event.ts_ms, Event.openid, Event.data)
        .where(Event.campaign_id == campaign_id)
        .order_by(Event.ts_ms, Event.id)
        .execution_options(yield_per=CHUNK)
    )
    for event_id, kind, ts_ms, openid, data in session.execute(query):
        record = {"id": event_id, "type": kind, "ts": iso_ms(from_ms(ts_ms)), "player": pseudonym(openid)}
        record.update({k: v for k, v in (data or {}).items() if k in DATA_FIELDS})
        if (data or {}).get("code"):
            # The campaign's keyed HMAC: the same for the draw and its redemption, and no way back to the code.
            record["code_ref"] = pseudonym("code:" + data["code"])
        yield record
