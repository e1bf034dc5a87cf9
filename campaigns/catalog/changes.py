"""A count of the committed changes to what a campaign's public pages show, for the caches kept per process.

The game page is rendered once and kept (``games/pages.py``); it must not outlive a change
to the campaign, its prize tiers, its account or its notice settings. Every session of the
process reports here: a flush that wrote one of :data:`SHOWN` marks the session, and its
commit moves :func:`epoch` on (a mark left by a rolled-back flush costs one needless refill,
never a stale page). A cache keeps the epoch it was filled at and fills again when the
epoch has moved. Other processes learn of the change
when their cache's own refresh period ends.
"""

from __future__ import annotations

import itertools
import threading

from sqlalchemy import event
from sqlalchemy.orm import Session

from ..wechat.models import CampaignNotices
from .models import Campaign, OfficialAccount, PrizeTier

SHOWN = (Campaign, PrizeTier, OfficialAccount, CampaignNotices)
_MARK = "campaign_pages_changed"

_epoch = 0
_lock = threading.Lock()


def epoch() -> int:
    """How many commits of this process have changed what a campaign's pages show."""
    return _epoch


def _changed() -> None:
    global _epoch
    with _lock:
        _epoch += 1


@event.listens_for(Session, "after_flush")
def _after_flush(session: Session, _context) -> None:
    if any(isinstance(o, SHOWN) for o in itertools.chain(session.new, session.dirty, session.deleted)):
        session.info[_MARK] = True


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    if session.info.pop(_MARK, False):
        _changed()
