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

from ..clock import utc

DRAFT, SCHEDULED, LIVE, PAUSED, ENDED = "draft", "scheduled", "live", "paused", "ended"
FOLLOWER_STATUSES = (SCHEDULED, LIVE, PAUSED, ENDED)


def status_at(campaign, now: datetime) -> str:
    """``scheduled``, ``live``, ``paused`` or ``ended``: the published ``campaign`` as a follower sees it at ``now``."""
    if campaign.status == ENDED or now >= utc(campaign.ends_at):
        return ENDED
    if campaign.status == PAUSED:
        return PAUSED
    return SCHEDULED if now < utc(campaign.starts_at) else LIVE
