"""The results by placement, from the stored daily rows: per-channel totals, the funnel, redemptions."""

from __future__ import annotations

from dataclasses import dataclass

from .channels import CHANNEL_METRICS, FIXED, OTHER

# The fields of each channel in the API document, in order (docs/metrics.md, "Channels").
CHANNEL_FIELDS = (
    "scans",
    "follows",
    "existing_follower_scans",
    "visits",
    "players",
    "plays",
    "winners",
    "claimed",
    "redeemed",
    "unfollows_7d",
    "net_follower_gain",
)
# Players and winners are distinct over the campaign: each is counted on their first day.
_DISTINCT = {"players": "new_players", "winners": "new_winners"}
FUNNEL = ("visits", "players", "winners", "claimed", "redeemed")


@dataclass(frozen=True)
class Placement:
    """One channel of a campaign: its key in the stored rows, its name, and its QR scene (None for the fixed ones)."""

    key: str
    name: str
    scene: str | None


def placements(channels) -> list[Placement]:
    """The campaign's channels (``Channel`` rows, in order) and then share, menu, direct and other."""
    own = [Placement(key=c.scene, name=c.name, scene=c.scene) for c in channels]
    return own + [Placement(key=name, name=name, scene=None) for name in FIXED]


def _metric(name: str) -> str:
    return _DISTINCT.get(name, name)


def day_values(row: dict, places: list[Placement]) -> dict[str, dict[str, int]]:
    """One day's per-channel values by key; channels no longer in the campaign are counted as other."""
    stored = row.get("channels") or {}
    known = {p.key for p in places}
    out = {p.key: {m: int((stored.get(p.key) or {}).get(m, 0)) for m in CHANNEL_METRICS} for p in places}
    for key, values in stored.items():
        if key not in known:
            for m in CHANNEL_METRICS:
                out[OTHER][m] += int(values.get(m, 0))
    return out


def channel_totals(rows: list[dict], places: list[Placement]) -> list[dict]:
    """Each channel's totals over every stored day, in the API document's shape."""
    sums = {p.key: dict.fromkeys(CHANNEL_METRICS, 0) for p in places}
    for row in rows:
        for key, values in day_values(row, places).items():
            for m, v in values.items():
                sums[key][m] += v
    return [
        {
            "channel": p.name,
            "scene": p.scene,
            **{name: sums[p.key][_metric(name)] for name in CHANNEL_FIELDS},
            "unfollows": sums[p.key]["unfollows"],
        }
        for p in places
    ]


def channel_document(slug: str, totals: list[dict]) -> dict:
    """``GET /api/v1/campaigns/<slug>/channels`` and ``flask campaigns channels SLUG --json``."""
    return {
        "campaign": slug,
        "channels": [
            {"channel": t["channel"], "scene": t["scene"], **{f: t[f] for f in CHANNEL_FIELDS}} for t in totals
        ],
    }


def daily_series(rows: list[dict], places: list[Placement], metric: str) -> list[tuple[str, list[int]]]:
    """``(channel name, one value per day)`` of one per-channel metric."""
    per_day = [day_values(row, places) for row in rows]
    return [(p.name, [day[p.key][metric] for day in per_day]) for p in places]


def funnel(total: dict) -> list[dict]:
    """A channel's funnel: each step's count and its rate from the step before (None after a zero)."""
    steps = []
    for i, name in enumerate(FUNNEL):
        before = total[FUNNEL[i - 1]] if i else None
        rate = None if not before else total[name] / before
        steps.append({"step": name, "count": total[name], "rate": rate})
    return steps


def redemptions(rows: list[dict], field: str) -> list[tuple[str, int]]:
    """Redemptions per store (``redeemed_by_store``) or staff member (``redeemed_by_staff``), most first."""
    sums: dict[str, int] = {}
    for row in rows:
        for name, n in (row.get(field) or {}).items():
            sums[name] = sums.get(name, 0) + int(n)
    return sorted(sums.items(), key=lambda item: (-item[1], item[0]))


def median_win_to_redemption_ms(rows: list[dict]) -> int | None:
    """The median time from a win to its redemption, over every redemption so far."""
    return rows[-1].get("median_win_to_redemption_ms") if rows else None
