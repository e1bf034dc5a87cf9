"""``flask campaigns report SLUG`` and ``flask demo simulate SLUG``: results in a terminal, a demo history."""

from __future__ import annotations

import json
import time

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from campaigns import recorder
from campaigns.analytics import simulate, stats
from campaigns.analytics.by_channel import CHANNEL_FIELDS, channel_document, channel_totals, placements
from campaigns.analytics.shape import describe
from campaigns.catalog.models import Campaign
from campaigns.clock import to_ms
from campaigns.errors import CampaignError
from extensions import db
from web.services import services

from .demo import demo
from .groups import campaigns_cli

COLUMNS = (
    ("day", "day", 10),
    ("visitors", "visit", 7),
    ("players", "players", 7),
    ("new_players", "new", 6),
    ("returning_players", "return", 6),
    ("plays", "plays", 7),
    ("winners", "winners", 7),
    ("coupons_added", "cp+", 5),
    ("coupons_redeemed", "cp✓", 5),
    ("follows", "follow", 6),
    ("unfollows", "unfol", 6),
    ("net_follower_gain", "net", 6),
    ("net_follower_gain_total", "total", 6),
    ("retention_d1", "d1", 5),
    ("retention_d3", "d3", 5),
    ("retention_d7", "d7", 5),
)


def _campaign(slug: str) -> Campaign:
    campaign = db.session.scalar(select(Campaign).where(Campaign.slug == slug))
    if campaign is None:
        raise click.ClickException(f"no campaign with the slug {slug!r}")
    return campaign


def _cell(value, width: int) -> str:
    if value is None:
        text = "–"
    elif isinstance(value, float):
        text = f"{value:.0%}"
    else:
        text = str(value)
    return text.rjust(width)


def _refresh(campaign: Campaign) -> None:
    svc = services()
    # Bigger batches than the worker's: a bulk load wants fewer commits.
    recorder.ingest_campaign(db.session, svc.redis, campaign.id, "cli", time_budget_s=3600, count=5000)
    stats.recompute(db.session, campaign.id, svc.clock.now())


@campaigns_cli.command("report")
@click.argument("slug")
@click.option("--stored", is_flag=True, help="Print the stored statistics without ingesting and recomputing first.")
@with_appcontext
def report(slug: str, stored: bool) -> None:
    """Print a campaign's daily statistics table and its shape figures."""
    campaign = _campaign(slug)
    if not stored:
        _refresh(campaign)
    res = stats.results(db.session, campaign, services().clock.now())
    click.echo(f"{campaign.name} ({campaign.slug}), days in {campaign.timezone}")
    click.echo(" ".join(label.rjust(width) for _, label, width in COLUMNS))
    for row in res.rows:
        click.echo(" ".join(_cell(row.get(name), width) for name, _, width in COLUMNS))
    if not res.rows:
        click.echo("(no days yet)")
    click.echo(
        f"players {res.players_total}, plays {res.total('plays')}, prizes left "
        f"{'–' if res.prizes_left is None else res.prizes_left}"
    )
    for line in describe(res.shape):
        click.echo(line)


@campaigns_cli.command("channels")
@click.argument("slug")
@click.option("--json", "as_json", is_flag=True, help="Print the document of GET /api/v1/campaigns/<slug>/channels.")
@click.option("--stored", is_flag=True, help="Use the stored statistics without ingesting and recomputing first.")
@with_appcontext
def channels_command(slug: str, as_json: bool, stored: bool) -> None:
    """Print a campaign's results by placement (QR channels, share, menu, direct, other)."""
    campaign = _campaign(slug)
    if not stored:
        _refresh(campaign)
    res = stats.results(db.session, campaign, services().clock.now())
    totals = channel_totals(res.rows, placements(sorted(campaign.channels, key=lambda c: c.id)))
    if as_json:
        click.echo(json.dumps(channel_document(campaign.slug, totals), ensure_ascii=False, indent=2))
        return
    width = max([len(t["channel"]) for t in totals] + [7])
    click.echo("channel".ljust(width) + "".join(name[:9].rjust(10) for name in CHANNEL_FIELDS))
    for total in totals:
        click.echo(total["channel"].ljust(width) + "".join(str(total[name]).rjust(10) for name in CHANNEL_FIELDS))


@demo.command("simulate")
@click.argument("slug")
@click.option("--days", default=14, show_default=True, help="Days of history, ending today.")
@click.option("--players", default=50_000, show_default=True, help="Followers taking part.")
@click.option("--seed", default=7, show_default=True, help="Random seed (the same seed gives the same history).")
@with_appcontext
def simulate_command(slug: str, days: int, players: int, seed: int) -> None:
    """Fill a published campaign with a synthetic history through the real event path and draw script.

    Draws run at their simulated instants between the campaign's start and now, so stock, the
    ledger and ``flask campaigns verify`` stay right; the campaign's dates are never moved.
    """
    svc = services()
    campaign = _campaign(slug)
    now = svc.clock.now()
    started = time.monotonic()
    try:
        counts = simulate.simulate_published(
            db.session, svc.redis, svc.secrets, svc.settings, campaign, days, players, to_ms(now), seed
        )
    except CampaignError as exc:
        raise click.ClickException(exc.message) from exc
    click.echo(
        f"  {sum(counts.values()):,} events through the real event path: "
        + ", ".join(f"{n:,} {kind}" for kind, n in sorted(counts.items()))
    )
    _refresh(campaign)
    click.echo(
        f"  ingested and computed in {time.monotonic() - started:.0f} s; "
        f"see /console/campaigns/{slug}/results or `flask campaigns report {slug} --stored`"
    )
