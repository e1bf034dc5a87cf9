"""A campaign's status, one vocabulary for the draw path, the pages, the console and the API.

The stored ``Campaign.status`` is what staff did (``draft``, ``scheduled``, ``live``,
``paused``, ``ended``); the status a follower sees also reads the clock, because a
campaign is over at its end instant whether or not the end job has run yet. The draw
script decides on Redis's clock with the same rule, and names its refusals with the
error codes of ``campaigns/errors.py`` (``not_started`` is a draw refused while
``scheduled``).
"""

from __future__ import annotations

from datetime import datetime

from ..clock import to_ms, utc
from ..errors import Conflict
from .messages import msg

DRAFT, SCHEDULED, LIVE, PAUSED, ENDED = "draft", "scheduled", "live", "paused", "ended"
FOLLOWER_STATUSES = (SCHEDULED, LIVE, PAUSED, ENDED)


def status_from(stored: str, now_ms: int, starts_ms: int, ends_ms: int) -> str:
    """The follower's status from the stored one (SQL's or Redis's) and the schedule, in epoch milliseconds."""
    if stored == ENDED or now_ms >= ends_ms:
        return ENDED
    if stored == PAUSED:
        return PAUSED
    return SCHEDULED if now_ms < starts_ms else LIVE


def status_at(campaign, now: datetime) -> str:
    """``scheduled``, ``live``, ``paused`` or ``ended``: the published ``campaign`` as a follower sees it at ``now``."""
    return status_from(campaign.status, to_ms(now), to_ms(utc(campaign.starts_at)), to_ms(utc(campaign.ends_at)))


# The lifecycle's state machine, the only statement of it: each action and the stored statuses it may start
# from. The draw engine (draws/publish.py) and the audited staff actions (staff/lifecycle.py) both check it.
ALLOWED_FROM = {
    "publish": (DRAFT,),
    "pause": (SCHEDULED, LIVE),
    "resume": (PAUSED,),
    "end": (SCHEDULED, LIVE, PAUSED),
    "top_up": (SCHEDULED, LIVE, PAUSED),
}


def require_transition(campaign, action: str) -> None:
    """Raise Conflict unless ``action`` may start from the campaign's stored status."""
    if campaign.status not in ALLOWED_FROM[action]:
        raise Conflict(
            msg(
                "A {status} campaign cannot {action}; this works only when it is {allowed}.",
                status=campaign.status,
                action=action.replace("_", " "),
                allowed=" or ".join(ALLOWED_FROM[action]),
            )
        )
