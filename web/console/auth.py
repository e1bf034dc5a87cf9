"""Signing in and out of the console, throttled against password guessing."""

from __future__ import annotations

from flask import redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, Length

from campaigns.errors import InvalidInput, RateLimited
from campaigns.staff.services import authenticate
from extensions import db
from web.errors import error_response, wants_json
from web.staff_auth import StaffLoginRequired, current_staff, log_in

from ..services import services
from . import bp


class SignInForm(FlaskForm):
    email = EmailField("E-mail", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=200)])


def _safe_next(value: str | None) -> str:
    # Only a path inside the console, so the sign-in page cannot send anyone elsewhere.
    if value and value.startswith("/console/") and not value.startswith("//") and "\\" not in value:
        return value
    return url_for("console.campaigns")


@bp.route("/sign-in", methods=["GET", "POST"])
def sign_in():
    """The sign-in form; a right password signs in, five wrong ones lock the address for a while."""
    form = SignInForm()
    if current_staff() is not None and request.method == "GET":
        return redirect(_safe_next(request.args.get("next")))
    error, status = None, 200
    if form.validate_on_submit():
        try:
            staff = authenticate(
                db.session, services().redis, form.email.data, form.password.data, request.remote_addr or "unknown"
            )
        except (InvalidInput, RateLimited) as exc:
            error, status = exc.message, exc.status
        else:
            log_in(staff)
            return redirect(_safe_next(request.args.get("next")))
    elif request.method == "POST":
        error, status = _("Enter your e-mail address and password."), 400
    return render_template("console/sign_in.html", form=form, error=error), status


@bp.post("/sign-out")
def sign_out():
    """Forget the staff member on this browser."""
    session.clear()
    return redirect(url_for("console.sign_in"))


@bp.errorhandler(StaffLoginRequired)
def to_sign_in(exc: StaffLoginRequired):
    """People are sent to the sign-in page; scripts get the usual 401 error."""
    if wants_json():
        return error_response(exc.code, exc.message, exc.status)
    return redirect(url_for("console.sign_in", next=request.full_path.rstrip("?")))
