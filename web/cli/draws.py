"""``flask campaigns publish|pause|resume|end|verify|reconcile``: the draw engine's commands.

Pause, resume and end are one implementation that goes through the audited lifecycle
(``campaigns.staff.lifecycle``) as the staff member named by ``--as``.
"""

from __future__ import annotations

import json

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from campaigns.catalog.services import get_by_slug, get_with_record
from campaigns.coupons.services import generate_missing
from campaigns.draws import public
from campaigns.draws import publish as lifecycle
from campaigns.draws import reconcile as reconciling
from campaigns.draws.verify import Mismatch
from campaigns.errors import CampaignError
from campaigns.staff import lifecycle as staff_lifecycle
from campaigns.staff.models import Staff
from campaigns.wechat import cards
from extensions import db
from web.services import services

from .groups import campaigns_cli


def _campaign(slug: str, *, archived_too: bool = False):
    try:
        return get_with_record(db.session, slug) if archived_too else get_by_slug(db.session, slug)
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


# Who may change a campaign's state: as in the console, operators only read.
ACTING_ROLES = ("admin", "marketer")


def _staff(email: str) -> Staff:
    """The active marketer or admin acting from the command line, named by ``--as``."""
    staff = db.session.scalar(select(Staff).where(Staff.email == email.strip().lower(), Staff.active.is_(True)))
    if staff is None:
        raise click.ClickException(f"{email} is not an active staff member; see `flask staff create`.")
    if staff.role not in ACTING_ROLES:
        raise click.ClickException(f"{email} is an {staff.role}; only a marketer or an admin may do this.")
    return staff


@campaigns_cli.command("publish")
@click.argument("slug")
@click.option("--as", "email", help="Staff e-mail: publish as this staff member, recorded in the audit log.")
@with_appcontext
def publish_command(slug: str, email: str | None) -> None:
    """Check every publishing rule, then commit to a server seed and the rules, and schedule or start the campaign."""
    s, campaign = services(), _campaign(slug)
    check_cards = cards.checker(s)

    def publish() -> None:
        if email:
            staff_lifecycle.publish(
                db.session, s.redis, _staff(email), campaign, s.clock, s.secrets, check_cards=check_cards
            )
            return
        # The same marketer-level rules as the console and the API: every problem at once.
        staff_lifecycle.check_publishable(db.session, campaign, s.clock, check_cards)
        generate_missing(db.session, campaign)
        lifecycle.publish(db.session, s.redis, campaign, clock=s.clock, secrets=s.secrets)

    _apply(publish)
    click.echo(f"{slug}: {campaign.status}; server_seed_hash {campaign.server_seed_hash}")


def _change_state(action: str, slug: str, email: str) -> None:
    """Pause, resume or end through the audited path, as the staff member named by ``--as``."""
    s, campaign = services(), _campaign(slug)
    _apply(lambda: staff_lifecycle.change_state(db.session, s.redis, _staff(email), campaign, action, s.clock))
    click.echo(f"{slug}: {campaign.status}" + ("; server seed revealed" if action == "end" else ""))


STATE_COMMANDS = {
    "pause": "Stop draws until resumed.",
    "resume": "Allow draws again.",
    "end": "End the campaign now and reveal its server seed.",
}


def _state_command(action: str, help_text: str) -> None:
    @campaigns_cli.command(action, help=help_text)
    @click.argument("slug")
    @click.option(
        "--as",
        "email",
        required=True,
        help="Staff e-mail of an active marketer or admin of the campaign's account (audited).",
    )
    @with_appcontext
    def command(slug: str, email: str) -> None:
        _change_state(action, slug, email)


for _action, _help in STATE_COMMANDS.items():
    _state_command(_action, _help)


@campaigns_cli.command("verify")
@click.argument("slug")
@with_appcontext
def verify_command(slug: str) -> None:
    """Recompute the whole ledger from the seed and rules (archived campaigns too); exit 1 at the first mismatch."""
    campaign = _campaign(slug, archived_too=True)
    if not campaign.server_seed_sealed:
        raise click.ClickException(f"{slug} is not published")
    try:
        count = public.verify_campaign(db.session, campaign, services().secrets)
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
    s, campaign = services(), _campaign(slug)
    try:
        report = (
            reconciling.repair(db.session, s.redis, campaign, s.secrets)
            if repair
            else reconciling.compare(db.session, s.redis, campaign)
        )
    except CampaignError as exc:
        raise click.ClickException(exc.message) from exc
    click.echo(json.dumps(report.summary(), ensure_ascii=False, indent=2))
    if report.problems:
        raise SystemExit(1)
