"""What every console view shares: the collaborators, the signed-in staff member, form errors."""

from __future__ import annotations

from flask import current_app, render_template

from campaigns.coupons.issuers import IssuerContext
from campaigns.errors import InvalidInput
from campaigns.staff.models import Staff
from extensions import db
from web.staff_auth import current_staff

# Who may change configuration; operators only read (and redeem on the store page).
EDITORS = ("marketer",)


def services():
    """The app's session factory, Redis, clock and secrets."""
    return current_app.extensions["services"]


def now():
    """The current instant from the app's clock."""
    return services().clock.now()


def me() -> Staff:
    """The signed-in staff member (views are already behind ``staff_required``)."""
    return current_staff()


def issuer_context() -> IssuerContext:
    """The coupon issuers' collaborators for this request."""
    from campaigns.wechat.client import client_for

    svc = services()
    return IssuerContext(
        session=db.session,
        redis=svc.redis,
        clock=svc.clock,
        wechat=lambda account: client_for(svc, account),
        settings=svc.settings,
    )


def form_errors(template: str, exc: InvalidInput, **context):
    """Re-render a form with the message at the top and each problem next to its field."""
    db.session.rollback()
    return render_template(template, error=exc.message, fields=exc.fields, **context), 400
