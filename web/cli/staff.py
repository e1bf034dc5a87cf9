"""``flask staff create``: the first admin (and any other staff) from the command line."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from campaigns.errors import InvalidInput
from campaigns.staff.models import ROLES
from campaigns.staff.services import create_staff, grant_accounts
from extensions import db

from .groups import staff_cli


@staff_cli.command("create")
@click.option("--email", required=True, help="The staff member's e-mail address (their login).")
@click.option("--role", type=click.Choice(ROLES), required=True, help="admin, marketer or operator.")
@click.option("--account", "accounts", multiple=True, help="An Official Account slug they work on (repeatable).")
@click.password_option(help="The first password (asked for when not given).")
@with_appcontext
def create(email: str, role: str, accounts: tuple[str, ...], password: str) -> None:
    """Add a staff member who can sign in to the console."""
    try:
        staff = create_staff(db.session, email, role, password)
        grant_accounts(db.session, staff, list(accounts))
    except InvalidInput as exc:
        db.session.rollback()
        problems = "; ".join(f"{field}: {message}" for field, message in exc.fields.items())
        raise click.ClickException(f"{exc.message} {problems}") from None
    db.session.commit()
    click.echo(f"created {staff.role} {staff.email}")
