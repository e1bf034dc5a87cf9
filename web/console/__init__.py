"""The marketer console: campaigns, prizes, codes, preview, publishing, audit log and staff admin."""

from flask import Blueprint

from web.staff_auth import current_staff

bp = Blueprint("console", __name__, url_prefix="/console")


@bp.context_processor
def staff_context() -> dict:
    """Console templates see who is signed in."""
    return {"current_staff": current_staff}


from . import (  # noqa: E402,F401 - registers the routes
    admin,
    auth,
    campaigns,
    channels,
    claims,
    codes,
    fraud,
    i18n,
    lifecycle,
    media,
    pay,
    voice,
)
