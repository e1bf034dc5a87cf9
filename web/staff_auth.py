"""Who the staff member is, and what their role allows.

Console pages, the results dashboard and the JSON API all use :func:`staff_required`.
A session login stores ``staff_id``; scripts send ``Authorization: Bearer <token>``
(tokens are made in the console and act with their own role, never more than their
owner's). Refusals are the usual error shape: 401 when nobody is signed in, 403 when
the role does not allow it.
"""

from __future__ import annotations

from functools import wraps

from flask import request, session

from campaigns.errors import CampaignError, Forbidden
from campaigns.staff.models import Staff
from campaigns.staff.services import staff_for_token
from extensions import db
from web.services import services

_CACHE = "campaigns.staff"


class StaffLoginRequired(CampaignError):
    code, status = "staff_login_required", 401


def log_in(staff: Staff) -> None:
    """Sign ``staff`` in on this browser session."""
    session.clear()
    session.permanent = True
    session["staff_id"] = staff.id


def bearer_token() -> str | None:
    """The token of an ``Authorization: Bearer`` header, if the request has one."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None


def _from_token(token: str) -> tuple[Staff | None, str | None]:
    now = services().clock.now()
    found = staff_for_token(db.session, token, now)
    if found is None:
        return None, None
    db.session.commit()
    return found


def _identify() -> tuple[Staff | None, str | None]:
    # Cached on the request itself: an app context (and its ``g``) may outlive one request.
    cached = request.environ.get(_CACHE)
    if cached is None:
        token = bearer_token()
        if token is not None:
            cached = _from_token(token)
        else:
            staff_id = session.get("staff_id")
            staff = db.session.get(Staff, staff_id) if isinstance(staff_id, int) else None
            staff = staff if staff is not None and staff.active else None
            cached = (staff, staff.role if staff else None)
        request.environ[_CACHE] = cached
    return cached


def current_staff() -> Staff | None:
    """The signed-in, active staff member (by session or by API token), if any."""
    return _identify()[0]


def current_role() -> str | None:
    """The role the current request acts with (a token's role may be narrower than its owner's)."""
    return _identify()[1]


def staff_required(*roles: str):
    """Allow the view only to signed-in staff whose role is in ``roles`` (any role if empty)."""

    def decorate(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            staff = current_staff()
            if staff is None:
                raise StaffLoginRequired("Please sign in to the console.")
            role = current_role()
            if roles and role not in roles and role != "admin":
                raise Forbidden("Your role does not allow this.")
            return view(*args, **kwargs)

        return wrapped

    return decorate
