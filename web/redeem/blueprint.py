"""The redemption blueprint and what its pages share: who may use them and whose stores are whose."""

from __future__ import annotations

from flask import Blueprint

from campaigns.staff.services import account_ids
from extensions import db

from ..staff_auth import current_staff

bp = Blueprint("redeem", __name__, url_prefix="/redeem")
STAFF_ROLES = ("operator", "marketer")


def mine(account_id: int) -> bool:
    """Whether the signed-in staff member works on this Official Account."""
    allowed = account_ids(db.session, current_staff())
    return allowed is None or account_id in allowed
