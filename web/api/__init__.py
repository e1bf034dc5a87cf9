"""The JSON API for scripts at ``/api/v1``: the console's powers, with ``Authorization: Bearer`` tokens.

Only tokens authenticate here, never the browser's session cookie, so a cross-site form
cannot act through the API and the routes need no CSRF token.
"""

from flask import Blueprint

from extensions import csrf

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)

from . import accounts, campaigns, channels, openapi  # noqa: E402,F401 - registers the routes
