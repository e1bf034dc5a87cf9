"""The operator dashboard, the comparison view and the statistics and event exports."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from zoneinfo import ZoneInfo

from flask import Blueprint, Response, jsonify, render_template, stream_with_context
from sqlalchemy import select

from campaigns.analytics import charts
from campaigns.analytics.by_channel import CHANNEL_FIELDS, channel_totals, placements
from campaigns.analytics.exports import EVENT_COLUMNS, event_records
from campaigns.analytics.pseudonym import pseudonymizer
from campaigns.analytics.shape import describe
from campaigns.analytics.stats import METRICS, RETENTION, Results, results
from campaigns.catalog.editing import campaign_for
from campaigns.catalog.models import Campaign, OfficialAccount
from campaigns.clock import iso_ms
from campaigns.errors import NotFound
from campaigns.players.services import key_material
from campaigns.staff.services import require_account
from extensions import db
from web.results_placement import LABELS, campaign_channels, placement_view
from web.staff_auth import current_staff, staff_required

from .services import services

bp = Blueprint("results", __name__)
ROLES = ("operator", "marketer")


def _campaign(slug: str) -> Campaign:
    # Staff see the results of their own accounts' campaigns only.
    return campaign_for(db.session, current_staff(), slug)


def _results(campaign: Campaign) -> Results:
    return results(db.session, campaign, services().clock.now())


def distinct_winners(res: Results) -> int:
    """Followers who won at least one prize: the numpy pass's count, each winner once (in their one channel)."""
    places = placements(sorted(res.campaign.channels, key=lambda c: c.id))
    return sum(channel["winners"] for channel in channel_totals(res.rows, places))


def headline(res: Results) -> dict:
    """The numbers at the top of the dashboard."""
    net = res.rows[-1]["net_follower_gain_total"] if res.rows else 0
    return {
        "plays": res.total("plays"),
        "players": res.players_total,
        "winners": distinct_winners(res),
        "prizes_left": res.prizes_left,
        "net_follower_gain": net,
    }


def dashboard_charts(res: Results) -> dict:
    """Every chart of the dashboard, with the tables behind them."""
    dates = [row["day"] for row in res.rows]
    ends = res.campaign.ends_at.astimezone(ZoneInfo(res.campaign.timezone)).date().isoformat()
    tail = [day > ends for day in dates]
    col = lambda name: [row[name] for row in res.rows]  # noqa: E731
    tiers = [(tier, [row["prizes"].get(tier, 0) for row in res.rows]) for tier in res.tiers]
    retention = [(f"day {k[-1]}", col(k)) for k in RETENTION]
    pct = lambda v: "–" if v is None else f"{v:.0%}"  # noqa: E731
    return {
        "plays": charts.stacked_bars(dates, [("plays", col("plays"))], shaded=res.weekend),
        "players": charts.stacked_bars(
            dates,
            [("new players", col("new_players")), ("returning players", col("returning_players"))],
            shaded=res.weekend,
        ),
        "wins": charts.stacked_bars(dates, tiers),
        "follows": charts.gain_chart(dates, col("follows"), col("unfollows"), col("net_follower_gain_total"), tail),
        "retention": charts.share_lines(dates, retention),
        "tiers": [name for name, _ in tiers],
        "tables": {
            "plays": _table(dates, ["plays", "visitors"], col("plays"), col("visitors")),
            "players": _table(
                dates,
                ["players", "new players", "returning players"],
                col("players"),
                col("new_players"),
                col("returning_players"),
            ),
            "wins": _table(
                dates, ["winners", *[name for name, _ in tiers]], col("winners"), *[values for _, values in tiers]
            ),
            "follows": _table(
                dates,
                ["follows", "unfollows", "net gain", "running total"],
                col("follows"),
                col("unfollows"),
                col("net_follower_gain"),
                col("net_follower_gain_total"),
            ),
            "retention": _table(
                dates,
                ["new players", *[name for name, _ in retention]],
                col("new_players"),
                *[[pct(v) for v in values] for _, values in retention],
            ),
        },
    }


def _table(dates: list[str], names: list[str], *columns: list) -> dict:
    """A chart's numbers as a table: a day column, then one column per series."""
    return {
        "columns": ["day", *names],
        "rows": [[day, *[column[i] for column in columns]] for i, day in enumerate(dates)],
    }


@bp.get("/console/campaigns/<slug>/results")
@staff_required(*ROLES)
def dashboard(slug: str):
    """The results dashboard of one campaign."""
    campaign = _campaign(slug)
    res = _results(campaign)
    return render_template(
        "results/dashboard.html",
        res=res,
        head=headline(res),
        charts=dashboard_charts(res),
        shape_lines=describe(res.shape),
        places=placement_view(campaign, res),
        labels=LABELS,
    )


@bp.get("/console/accounts/<account_slug>/compare")
@staff_required(*ROLES)
def compare(account_slug: str):
    """Several campaigns of one account side by side."""
    account = db.session.scalar(select(OfficialAccount).where(OfficialAccount.slug == account_slug))
    if account is None:
        raise NotFound("No such account.")
    require_account(db.session, current_staff(), account.id)
    campaigns = db.session.scalars(
        select(Campaign)
        .where(Campaign.account_id == account.id, Campaign.published_at.is_not(None))
        .order_by(Campaign.starts_at)
    ).all()
    entries = []
    for campaign in campaigns:
        res = _results(campaign)
        entries.append(
            {
                "res": res,
                "head": headline(res),
                "spark": charts.sparkline([row["plays"] for row in res.rows]),
                "shape": describe(res.shape),
            }
        )
    return render_template("results/compare.html", account=account, entries=entries)


def stats_document(res: Results) -> dict:
    """The JSON export of the daily table."""
    figures = res.shape
    return {
        "campaign": res.campaign.slug,
        "timezone": res.campaign.timezone,
        "computed_at": iso_ms(res.computed_at) if res.computed_at else None,
        "days": res.rows,
        "totals": {
            **{name: res.total(name) for name in METRICS if name != "net_follower_gain_total"},
            "players": res.players_total,
        },
        "shape": {
            "first_day_share": figures.first_day_share,
            "weekday_avg_plays": figures.weekday_avg,
            "weekend_avg_plays": figures.weekend_avg,
            "weekend_vs_weekday": figures.weekend_vs_weekday,
            "peak_day": figures.peak_day,
            "half_life_days": figures.half_life_days,
        },
    }


@bp.get("/api/v1/campaigns/<slug>/channels.csv")
@staff_required(*ROLES)
def channels_csv(slug: str):
    """The results by placement as CSV, one line per channel (a few lines: not streamed)."""
    campaign = _campaign(slug)
    header = ["channel", "scene", *CHANNEL_FIELDS]
    body = _csv_line(header) + "".join(
        _csv_line([total[name] for name in header]) for total in campaign_channels(campaign, _results(campaign))
    )
    response = Response(body, mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{slug}-channels.csv"'
    return response


@bp.get("/api/v1/campaigns/<slug>/stats")
@staff_required(*ROLES)
def stats_json(slug: str):
    """The daily table as JSON."""
    return jsonify(stats_document(_results(_campaign(slug))))


# A spreadsheet runs a cell that starts with one of these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value):
    """The value as a CSV cell; text a spreadsheet would run as a formula gets a leading quote."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _csv_line(values: list) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow([csv_cell(v) for v in values])
    return buffer.getvalue()


@bp.get("/api/v1/campaigns/<slug>/stats.csv")
@staff_required(*ROLES)
def stats_csv(slug: str):
    """The daily table as CSV, one line per day."""
    res = _results(_campaign(slug))
    header = ["day", *METRICS, *[f"prizes_{t}" for t in res.tiers], *RETENTION]

    def lines() -> Iterator[str]:
        yield _csv_line(header)
        for row in res.rows:
            yield _csv_line(
                [
                    row["day"],
                    *[row[m] for m in METRICS],
                    *[row["prizes"].get(t, 0) for t in res.tiers],
                    *[row.get(r) for r in RETENTION],
                ]
            )

    return _download(lines(), "text/csv", f"{slug}-stats.csv")


def _download(body: Iterator[str], mimetype: str, filename: str) -> Response:
    response = Response(stream_with_context(body), mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _records(campaign: Campaign) -> Iterator[dict]:
    settings = services().settings
    pseudonym = pseudonymizer(db.session, campaign.id, key_material(settings))
    return event_records(db.session, campaign.id, pseudonym)


@bp.get("/api/v1/campaigns/<slug>/events.jsonl")
@staff_required(*ROLES)
def events_jsonl(slug: str):
    """Every ingested event as JSON lines, openids replaced by the campaign pseudonym, streamed."""
    records = _records(_campaign(slug))
    return _download(
        (json.dumps(r, ensure_ascii=False) + "\n" for r in records), "application/x-ndjson", f"{slug}-events.jsonl"
    )


@bp.get("/api/v1/campaigns/<slug>/events.csv")
@staff_required(*ROLES)
def events_csv(slug: str):
    """Every ingested event as CSV, openids replaced by the campaign pseudonym, streamed."""
    records = _records(_campaign(slug))

    def lines() -> Iterator[str]:
        yield _csv_line(list(EVENT_COLUMNS))
        for record in records:
            yield _csv_line([record.get(c) for c in EVENT_COLUMNS])

    return _download(lines(), "text/csv", f"{slug}-events.csv")
