"""Who the staff member is, and what their role allows.

Console pages, the results dashboard and the JSON API all use :func:`staff_required`.
A session login stores ``staff_id``; scripts send ``Authorization: Bearer <token>``
(tokens are added by the console). Refusals are the usual error shape: 401 when
nobody is signed in, 403 when the role does not allow it.
"""
from __future__ import annotations

from functools import wraps

from flask import g, session

from campaigns.errors import CampaignError, Forbidden
from campaigns.staff.models import Staff
from extensions import db


class StaffLoginRequired(CampaignError):
    code, status = "staff_login_required", 401


def log_in(staff: Staff) -> None:
    """Sign ``staff`` in on this browser session."""
    session.clear()
    session.permanent = True
    session["staff_id"] = staff.id


def current_staff() -> Staff | None:
    """The signed-in, active staff member, if any."""
    if "staff" not in g:
        staff_id = session.get("staff_id")
        staff = db.session.get(Staff, staff_id) if staff_id else None
        g.staff = staff if staff is not None and staff.active else None
    return g.staff


def staff_required(*roles: str):
    """Allow the view only to signed-in staff whose role is in ``roles`` (any role if empty)."""

    def decorate(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            staff = current_staff()
            if staff is None:
                raise StaffLoginRequired("Please sign in to the console.")
            if roles and staff.role not in roles and staff.role != "admin":
                raise Forbidden("Your role does not allow this.")
            return view(*args, **kwargs)

        return wrapped

    return decorate
