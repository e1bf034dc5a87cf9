"""``flask campaigns report SLUG`` and ``flask demo simulate SLUG``: results in a terminal, a demo history."""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from campaigns.analytics import ingest, simulate, stats
from campaigns.analytics.shape import describe
from campaigns.catalog.models import Campaign
from campaigns.clock import to_ms
from campaigns.players.pseudonym import campaign_key
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
    ingest.ingest_campaign(db.session, svc.redis, campaign.id, "cli", time_budget_s=3600, count=5000)
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


def _backdate(campaign: Campaign, days: int, now: datetime) -> None:
    """Move the campaign's start back so ``days`` of history end today (a demo convenience)."""
    zone = ZoneInfo(campaign.timezone)
    today = now.astimezone(zone).date()
    start = datetime.combine(today - timedelta(days=days - 1), datetime.min.time(), tzinfo=zone)
    if campaign.starts_at > start:
        click.echo(f"  moving the start of {campaign.slug} back to {start.isoformat()} so the history fits")
        campaign.starts_at = start
    if campaign.ends_at < now:
        campaign.ends_at = now + timedelta(days=1)
    db.session.commit()


@demo.command("simulate")
@click.argument("slug")
@click.option("--days", default=14, show_default=True, help="Days of history, ending today.")
@click.option("--players", default=50_000, show_default=True, help="Followers taking part.")
@click.option("--seed", default=7, show_default=True, help="Random seed (the same seed gives the same history).")
@with_appcontext
def simulate_command(slug: str, days: int, players: int, seed: int) -> None:
    """Fill a campaign with a realistic synthetic history through the real event path (stream, ingest, stats)."""
    svc = services()
    campaign = _campaign(slug)
    now = svc.clock.now()
    _backdate(campaign, days, now)
    settings = svc.settings
    key = campaign_key(settings.get("ENCRYPTION_KEY") or settings["SECRET_KEY"], campaign.id)
    started = time.monotonic()
    plan = simulate.plan_for(campaign, days, to_ms(now))
    counts = simulate.simulate(svc.redis, campaign.id, plan, players, key=key, seed=seed)
    click.echo(
        f"  appended {sum(counts.values()):,} events to the stream: "
        + ", ".join(f"{n:,} {kind}" for kind, n in sorted(counts.items()))
    )
    _refresh(campaign)
    click.echo(
        f"  ingested and computed in {time.monotonic() - started:.0f} s; "
        f"see /console/campaigns/{slug}/results or `flask campaigns report {slug} --stored`"
    )
