"""The results by placement on the dashboard: the channel table, the net-gain chart, funnels, redemptions."""

from __future__ import annotations

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from campaigns.analytics import charts
from campaigns.analytics.by_channel import (
    channel_totals,
    funnel,
    median_win_to_redemption_ms,
    placements,
    redemptions,
)
from campaigns.analytics.stats import Results
from campaigns.catalog.models import Campaign
from campaigns.coupons.models import Store, StoreLink
from campaigns.staff.models import Staff
from extensions import db

# The words of the per-channel table, the funnel and the chart tables, in the catalogue (|tr looks them up).
LABELS = {
    "scans": _l("QR scans"),
    "follows": _l("follows"),
    "existing_follower_scans": _l("scans by followers"),
    "visits": _l("visits"),
    "players": _l("players"),
    "plays": _l("plays"),
    "winners": _l("winners"),
    "claimed": _l("claimed"),
    "redeemed": _l("redeemed"),
    "unfollows": _l("unfollows"),
    "unfollows_7d": _l("unfollows within 7 days"),
    "net_follower_gain": _l("net follower gain"),
}
WORDS = (
    _l("share"),
    _l("menu"),
    _l("direct"),
    _l("other"),
    _l("day"),
    _l("channel"),
    _l("visitors"),
    _l("new players"),
    _l("returning players"),
    _l("net gain"),
    _l("running total"),
    _l("day 1"),
    _l("day 3"),
    _l("day 7"),
)


def campaign_channels(campaign: Campaign, res: Results) -> list[dict]:
    """The campaign's per-channel totals (its channels by creation order, then share, menu, direct, other)."""
    return channel_totals(res.rows, placements(sorted(campaign.channels, key=lambda c: c.id)))


def named_redeemers(counts: list[tuple[str, int]]) -> list[tuple[str, int]]:
    """Redemptions per staff member with their names: a signed-in member's e-mail, a store link's label."""
    refs = [name.partition(":") for name, _ in counts]
    ids = {kind: [int(ref) for k, _, ref in refs if k == kind and ref.isdigit()] for kind in ("staff", "link")}
    names = {
        f"staff:{i}": email
        for i, email in db.session.execute(select(Staff.id, Staff.email).where(Staff.id.in_(ids["staff"])))
    }
    for i, label, store in db.session.execute(
        select(StoreLink.id, StoreLink.label, Store.name).join(Store).where(StoreLink.id.in_(ids["link"]))
    ):
        names[f"link:{i}"] = gettext("store link %(label)s (%(store)s)", label=label, store=store)
    return [(names.get(name, name), n) for name, n in counts]


def placement_view(campaign: Campaign, res: Results) -> dict:
    """The results by placement: the channel table, the net-gain chart with its table, funnels, redemptions."""
    totals = campaign_channels(campaign, res)
    names = [gettext(t["channel"]) for t in totals]
    gains = [t["net_follower_gain"] for t in totals]
    delay = median_win_to_redemption_ms(res.rows)
    return {
        "totals": totals,
        "net_gain": charts.channel_bars(names, gains),
        "net_gain_table": {
            "columns": ["channel", "net follower gain"],
            "rows": [[n, g] for n, g in zip(names, gains, strict=True)],
        },
        "funnels": [(t["channel"], funnel(t)) for t in totals],
        "stores": redemptions(res.rows, "redeemed_by_store"),
        "staff": named_redeemers(redemptions(res.rows, "redeemed_by_staff")),
        "median_hours": None if delay is None else delay / 3_600_000,
    }
