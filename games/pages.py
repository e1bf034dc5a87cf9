"""The game page, rendered once per campaign, language and state and kept per process.

Nothing a game page shows changes after publishing but the follower's own part: the prize
table, the look, the game and the texts are frozen with the rules, and the page would
render the same HTML for every follower. So each process keeps, per campaign, what the
page needs of SQL (:class:`CampaignPage`), and per language and state the page rendered
around a hole for its data block (:class:`Rendered`). A request fills the hole with the
data's frozen part (serialized once too) and its own part: the state, the time and the
follower's share card. The state is Redis's, read in the same round trip as the visit
event, so a pause, a resume or an end shows at once.

A kept campaign is read again when this process commits a change to what the page shows
(``campaigns.catalog.changes``), and at most every :data:`REFRESH_S` seconds otherwise:
another process's change (notices turned on, a campaign archived) shows within that time.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import json
from jinja2.utils import htmlsafe_json_dumps
from markupsafe import Markup

from campaigns.catalog import changes
from campaigns.catalog.models import Campaign
from campaigns.wechat.book import CampaignCard

REFRESH_S = 10.0
# Where the data block goes: a NUL, which no rendered text can hold (web/inputs.py refuses it in every input).
HOLE = "\x00"


def _dumps(value: Any, **options: Any) -> str:
    # Chinese as UTF-8 rather than \u escapes: the page is a third smaller on a follower's network.
    return json.dumps(value, ensure_ascii=False, **options)


def to_json(value: Any) -> str:
    """``value`` as the ``tojson`` filter writes it inside a page (``<``, ``>``, ``&`` and ``'`` escaped)."""
    return htmlsafe_json_dumps(value, dumps=_dumps)


@dataclass(frozen=True)
class Rendered:
    """One page around its data block, as UTF-8: the HTML before it, the data's frozen part (an object left
    open, followed by a comma), the HTML after it."""

    before: bytes
    data: bytes
    after: bytes

    def html(self, own: dict[str, Any]) -> bytes:
        """The page with the request's ``own`` data (keys the frozen part does not have)."""
        if not own:
            return b"".join((self.before, self.data[:-1], b"}", self.after))
        return b"".join((self.before, self.data, to_json(own)[1:].encode(), self.after))


@dataclass
class CampaignPage:
    """What the game page shows of one published campaign, as SQL had it when the process read it."""

    campaign: Campaign  # loaded with its tiers; read, never written
    card: CampaignCard
    notices: bool
    epoch: int
    read_at: float
    rendered: dict[tuple[Any, bool], Rendered] = field(default_factory=dict)

    @property
    def id(self) -> int:
        return self.campaign.id


class GamePages:
    """The per-process store of :class:`CampaignPage` by slug."""

    def __init__(self, *, refresh_s: float = REFRESH_S, monotonic: Callable[[], float] = time.monotonic):
        self._refresh_s = refresh_s
        self._monotonic = monotonic
        self._items: dict[str, CampaignPage] = {}
        self._lock = threading.Lock()

    def get(self, slug: str, read: Callable[[], CampaignPage]) -> CampaignPage:
        """The kept page of ``slug``, or the one ``read`` makes now (kept for next time)."""
        now, held = self._monotonic(), self._items.get(slug)
        if held is not None and held.epoch == changes.epoch() and now - held.read_at < self._refresh_s:
            return held
        epoch = changes.epoch()
        fresh = read()
        fresh.epoch, fresh.read_at = epoch, now
        with self._lock:
            self._items[slug] = fresh
        return fresh

    def forget(self, slug: str) -> None:
        """Drop ``slug`` (a page that is no longer found)."""
        with self._lock:
            self._items.pop(slug, None)

    @staticmethod
    def rendered(
        page: CampaignPage, key: tuple[Any, bool], render: Callable[[Markup], str], data: Callable[[], Any]
    ) -> Rendered:
        """The page's render for ``key`` (language, live or not): ``render`` around the hole, ``data`` its frozen part.

        Both are called the first time only.
        """
        held = page.rendered.get(key)
        if held is None:
            before, _, after = render(Markup(HOLE)).partition(HOLE)
            frozen = to_json(data())[:-1] + ","
            held = page.rendered[key] = Rendered(before.encode(), frozen.encode(), after.encode())
        return held
