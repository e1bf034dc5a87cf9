"""``flask campaigns publish|pause|resume|end|verify|reconcile``: the draw engine's commands."""
from __future__ import annotations

import json

import click
from flask import current_app
from flask.cli import with_appcontext

from campaigns.catalog import publish as lifecycle
from campaigns.catalog import validation
from campaigns.catalog.services import get_by_slug
from campaigns.draws import public, reconcile as reconciling
from campaigns.draws.verify import Mismatch
from campaigns.errors import CampaignError
from extensions import db

from .groups import campaigns_cli


def _services():
    return current_app.extensions["services"]


def _campaign(slug: str):
    try:
        return get_by_slug(db.session, slug)
    except CampaignError as exc:
        raise click.ClickException(exc.message) from exc


def _apply(step) -> None:
    """Run one lifecycle step and commit, turning refusals into a clean error."""
    try:
        step()
    except CampaignError as exc:
        db.session.rollback()
        detail = f" {json.dumps(exc.fields, ensure_ascii=False)}" if exc.fields else ""
        raise click.ClickException(exc.message + detail) from exc
    db.session.commit()


@campaigns_cli.command("publish")
@click.argument("slug")
@with_appcontext
def publish_command(slug: str) -> None:
    """Check every publishing rule, then commit to a server seed and the rules, and schedule or start the campaign."""
    s, campaign = _services(), _campaign(slug)

    def publish() -> None:
        # The same marketer-level rules as the console and the API: every problem at once.
        validation.check(db.session, campaign, s.clock.now())
        lifecycle.publish(db.session, s.redis, campaign, clock=s.clock, secrets=s.secrets)

    _apply(publish)
    click.echo(f"{slug}: {campaign.status}; server_seed_hash {campaign.server_seed_hash}")


@campaigns_cli.command("pause")
@click.argument("slug")
@with_appcontext
def pause_command(slug: str) -> None:
    """Stop draws until resumed."""
    campaign = _campaign(slug)
    _apply(lambda: lifecycle.pause(db.session, _services().redis, campaign))
    click.echo(f"{slug}: paused")


@campaigns_cli.command("resume")
@click.argument("slug")
@with_appcontext
def resume_command(slug: str) -> None:
    """Allow draws again."""
    s, campaign = _services(), _campaign(slug)
    _apply(lambda: lifecycle.resume(db.session, s.redis, campaign, s.clock))
    click.echo(f"{slug}: {campaign.status}")


@campaigns_cli.command("end")
@click.argument("slug")
@with_appcontext
def end_command(slug: str) -> None:
    """End the campaign now and reveal its server seed."""
    s, campaign = _services(), _campaign(slug)
    _apply(lambda: lifecycle.end(db.session, s.redis, campaign, s.clock))
    click.echo(f"{slug}: ended; server seed revealed")


@campaigns_cli.command("verify")
@click.argument("slug")
@with_appcontext
def verify_command(slug: str) -> None:
    """Recompute the whole ledger from the seed and rules; exit 1 at the first mismatch."""
    campaign = _campaign(slug)
    if not campaign.server_seed_sealed:
        raise click.ClickException(f"{slug} is not published")
    try:
        count = public.verify_campaign(db.session, campaign, _services().secrets)
    except Mismatch as exc:
        click.echo(f"MISMATCH at {exc}", err=True)
        raise SystemExit(1) from exc
    click.echo(f"{slug}: {count} draws verified")


@campaigns_cli.command("reconcile")
@click.argument("slug")
@click.option("--repair", is_flag=True, help="Rebuild the campaign's Redis state from the SQL ledger.")
@with_appcontext
def reconcile_command(slug: str, repair: bool) -> None:
    """Compare Redis counters, the stream and the SQL ledger; exit 1 on drift."""
    s, campaign = _services(), _campaign(slug)
    try:
        report = (reconciling.repair(db.session, s.redis, campaign, s.secrets) if repair
                  else reconciling.compare(db.session, s.redis, campaign))
    except CampaignError as exc:
        raise click.ClickException(exc.message) from exc
    click.echo(json.dumps(report.summary(), ensure_ascii=False, indent=2))
    if report.problems:
        raise SystemExit(1)
