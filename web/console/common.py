"""What every console view shares: the collaborators, the signed-in staff member, form errors."""

from __future__ import annotations

from flask import render_template

from campaigns.errors import InvalidInput
from campaigns.staff.models import Staff
from extensions import db
from web.services import services
from web.staff_auth import current_staff

# Who may change configuration; operators only read (and redeem on the store page).
EDITORS = ("marketer",)


def now():
    """The current instant from the app's clock."""
    return services().clock.now()


def me() -> Staff:
    """The signed-in staff member (views are already behind ``staff_required``)."""
    return current_staff()


def form_errors(template: str, exc: InvalidInput, **context):
    """Re-render a form with the message at the top and each problem next to its field."""
    db.session.rollback()
    return render_template(template, error=exc.message, fields=exc.fields, **context), 400
