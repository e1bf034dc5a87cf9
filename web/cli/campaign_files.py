"""``flask campaigns create --from FILE``: a campaign kept as a JSON document becomes (or updates) a draft.

Publishing and the state commands (``flask campaigns publish|pause|resume|end``) live in ``web.cli.draws``.
"""

from __future__ import annotations

import json

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from campaigns.catalog import editing
from campaigns.catalog.models import Campaign
from campaigns.errors import CampaignError
from campaigns.staff.models import Staff
from extensions import db
from web.services import services

from .groups import campaigns_cli


def _actor(email: str | None) -> Staff:
    """The staff member the audit log names: ``--as`` or, by default, the first active admin."""
    query = select(Staff).where(Staff.active.is_(True))
    query = (
        query.where(Staff.email == email.lower()) if email else query.where(Staff.role == "admin").order_by(Staff.id)
    )
    staff = db.session.scalars(query).first()
    if staff is None:
        raise click.ClickException("No such active staff member; create one with `flask staff create`.")
    return staff


def _fail(exc: CampaignError) -> click.ClickException:
    db.session.rollback()
    lines = [exc.message] + [f"  {field}: {message}" for field, message in exc.fields.items()]
    return click.ClickException("\n".join(lines))


@campaigns_cli.command("create")
@click.option(
    "--from", "source", type=click.File("r", encoding="utf-8"), required=True, help="A campaign document (JSON)."
)
@click.option("--as", "email", help="Staff e-mail recorded in the audit log (default: the first admin).")
@with_appcontext
def create(source, email: str | None) -> None:
    """Create a draft from a JSON document, or update the draft with its slug."""
    try:
        doc = json.load(source)
    except ValueError as exc:
        raise click.ClickException(f"The file is not JSON: {exc}") from None
    svc = services()
    slug = doc.get("slug") if isinstance(doc, dict) else None
    existing = db.session.scalar(select(Campaign).where(Campaign.slug == slug)) if isinstance(slug, str) else None
    try:
        campaign = editing.save(db.session, _actor(email), doc, svc.clock.now(), existing)
    except CampaignError as exc:
        raise _fail(exc) from None
    db.session.commit()
    click.echo(f"{'updated' if existing else 'created'} draft {campaign.slug}")
