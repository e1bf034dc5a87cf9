"""Administration: staff and their accounts, Official Accounts, API tokens, and the audit log."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from campaigns.catalog.models import OfficialAccount
from campaigns.errors import InvalidInput
from campaigns.staff import audit
from campaigns.staff.accounts import create_account
from campaigns.staff.models import ROLES, ApiToken, Staff
from campaigns.staff.services import account_ids, create_staff, grant_accounts, issue_token, revoke_token
from extensions import db
from web.staff_auth import staff_required

from ..services import services
from . import bp
from .common import EDITORS, form_errors, me, now


def _staff_page(**extra):
    staff = list(db.session.scalars(select(Staff).order_by(Staff.email)))
    accounts = list(db.session.scalars(select(OfficialAccount).order_by(OfficialAccount.name)))
    granted = {s.id: account_ids(db.session, s) for s in staff}
    return render_template("console/staff.html", staff=staff, accounts=accounts, granted=granted, roles=ROLES, **extra)


@bp.get("/staff")
@staff_required("admin")
def staff():
    """Every staff member, their role and accounts."""
    return _staff_page()


@bp.post("/staff")
@staff_required("admin")
def add_staff():
    """Add a staff member with a role and the accounts they work on."""
    form = request.form
    try:
        person = create_staff(db.session, form.get("email", ""), form.get("role", ""), form.get("password", ""))
        grant_accounts(db.session, person, form.getlist("accounts"))
    except InvalidInput as exc:
        db.session.rollback()
        return _staff_page(error=exc.message, fields=exc.fields), 400
    audit.record(
        db.session,
        me(),
        "staff.create",
        now(),
        after={"email": person.email, "role": person.role, "accounts": form.getlist("accounts")},
    )
    db.session.commit()
    flash(_("Added %(email)s.", email=person.email))
    return redirect(url_for("console.staff"))


@bp.post("/staff/<int:staff_id>")
@staff_required("admin")
def update_staff(staff_id: int):
    """Change a staff member's role, accounts or whether they may sign in."""
    person = db.session.get(Staff, staff_id) or abort(404)
    role = request.form.get("role", person.role)
    if role not in ROLES:
        raise InvalidInput(
            _("Unknown role."), fields={"role": _("Choose one of: %(choices)s.", choices=", ".join(ROLES))}
        )
    if person.id == me().id and (role != "admin" or request.form.get("active") != "y"):
        raise InvalidInput(_("You cannot demote or disable yourself."), fields={"role": _("Ask another admin.")})
    before = {"role": person.role, "active": person.active, "accounts": sorted(account_ids(db.session, person) or [])}
    person.role, person.active = role, request.form.get("active") == "y"
    slugs = request.form.getlist("accounts")
    after = {"role": person.role, "active": person.active, "accounts": grant_accounts(db.session, person, slugs)}
    audit.record(db.session, me(), "staff.update", now(), before={"email": person.email, **before}, after=after)
    db.session.commit()
    return redirect(url_for("console.staff"))


@bp.get("/accounts")
@staff_required("admin")
def accounts():
    """The Official Accounts and the form to add one."""
    return render_template(
        "console/accounts.html",
        accounts=list(db.session.scalars(select(OfficialAccount).order_by(OfficialAccount.name))),
    )


@bp.post("/accounts")
@staff_required("admin")
def add_account():
    """Add an Official Account; its secrets are sealed before they are stored."""
    try:
        account = create_account(db.session, services().secrets, request.form)
    except InvalidInput as exc:
        return form_errors(
            "console/accounts.html",
            exc,
            form=request.form,
            accounts=list(db.session.scalars(select(OfficialAccount).order_by(OfficialAccount.name))),
        )
    audit.record(
        db.session,
        me(),
        "account.create",
        now(),
        account_id=account.id,
        after={"slug": account.slug, "name": account.name, "app_id": account.app_id},
    )
    db.session.commit()
    services().replies.forget(account.slug)  # a URL check made before the account existed is not remembered
    return redirect(url_for("console.accounts"))


@bp.get("/tokens")
@staff_required()
def tokens():
    """The staff member's API tokens."""
    mine = db.session.scalars(select(ApiToken).where(ApiToken.staff_id == me().id).order_by(ApiToken.id.desc()))
    return render_template("console/tokens.html", tokens=list(mine), roles=ROLES, new_token=None)


@bp.post("/tokens")
@staff_required()
def add_token():
    """Make a token; its value is shown once and only its hash is kept."""
    token, plain = issue_token(db.session, me(), request.form.get("label", ""), request.form.get("role", ""), now())
    audit.record(
        db.session, me(), "token.create", now(), after={"id": token.id, "label": token.label, "role": token.role}
    )
    db.session.commit()
    mine = db.session.scalars(select(ApiToken).where(ApiToken.staff_id == me().id).order_by(ApiToken.id.desc()))
    return render_template("console/tokens.html", tokens=list(mine), roles=ROLES, new_token=plain)


@bp.post("/tokens/<int:token_id>/revoke")
@staff_required()
def revoke(token_id: int):
    """Revoke a token at once."""
    token = revoke_token(db.session, me(), token_id, now())
    audit.record(db.session, me(), "token.revoke", now(), before={"id": token.id, "label": token.label})
    db.session.commit()
    return redirect(url_for("console.tokens"))


@bp.get("/audit")
@staff_required("admin", *EDITORS)
def audit_log():
    """Configuration changes on the accounts the staff member works on."""
    entries = audit.entries(db.session, account_ids=account_ids(db.session, me()))
    return render_template("console/audit.html", entries=entries)
