"""Staff accounts: passwords, sign-in throttling, roles over accounts, API tokens."""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from .. import keys
from ..catalog.messages import msg
from ..catalog.models import OfficialAccount
from ..errors import Forbidden, InvalidInput, NotFound, RateLimited
from .models import ROLES, ApiToken, Staff, StaffAccount

# Five wrong passwords in fifteen minutes lock the address (and the client) for the rest of the window.
MAX_FAILURES = 5
FAILURE_WINDOW_SECONDS = 15 * 60
MIN_PASSWORD = 10
EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,189}\.[^@\s]{1,60}$")
TOKEN_PREFIX = "wct_"
# A constant hash to compare against when the e-mail is unknown, so timing does not reveal accounts.
_DUMMY_HASH = generate_password_hash("not-a-real-password", method="scrypt")


def hash_password(password: str) -> str:
    """A scrypt hash of ``password``."""
    return generate_password_hash(password, method="scrypt")


def check_new_password(password: str) -> None:
    """Refuse passwords too short to resist guessing."""
    if len(password or "") < MIN_PASSWORD:
        raise InvalidInput(
            msg("Choose a longer password."),
            fields={"password": msg("Use at least {count} characters.", count=MIN_PASSWORD)},
        )


def create_staff(session: Session, email: str, role: str, password: str) -> Staff:
    """Add a staff member; the e-mail must be new and the role known."""
    email = (email or "").strip().lower()
    problems = {}
    if not EMAIL.match(email):
        problems["email"] = msg("Enter an e-mail address like name@example.com.")
    elif session.scalar(select(Staff).where(Staff.email == email)) is not None:
        problems["email"] = msg("Someone already uses this e-mail address.")
    if role not in ROLES:
        problems["role"] = msg("Choose one of: {choices}.", choices=", ".join(ROLES))
    if len(password or "") < MIN_PASSWORD:
        problems["password"] = msg("Use at least {count} characters.", count=MIN_PASSWORD)
    if problems:
        raise InvalidInput(msg("Please correct the highlighted fields."), fields=problems)
    staff = Staff(email=email, role=role, password_hash=hash_password(password))
    session.add(staff)
    session.flush()
    return staff


def authenticate(session: Session, redis, email: str, password: str, client: str) -> Staff:
    """The active staff member with these credentials; throttled per e-mail and per client."""
    email = (email or "").strip().lower()
    counters = [keys.login_failures(f"email:{email}"), keys.login_failures(f"client:{client}")]
    if any(int(redis.get(key) or 0) >= MAX_FAILURES for key in counters):
        raise RateLimited(msg("Too many failed sign-ins. Please wait 15 minutes and try again."))
    staff = session.scalar(select(Staff).where(Staff.email == email))
    valid = check_password_hash(staff.password_hash if staff else _DUMMY_HASH, password or "")
    if staff is None or not valid or not staff.active:
        pipe = redis.pipeline()
        for key in counters:
            # The window starts at the first failure (SET NX keeps it; INCR keeps the TTL).
            pipe.set(key, 0, ex=FAILURE_WINDOW_SECONDS, nx=True)
            pipe.incr(key)
        pipe.execute()
        raise InvalidInput(
            msg("The e-mail address or the password is wrong."),
            fields={"password": msg("The e-mail address or the password is wrong.")},
        )
    redis.delete(counters[0])
    return staff


def account_ids(session: Session, staff: Staff) -> set[int] | None:
    """The accounts ``staff`` may work on; ``None`` means every account (admins)."""
    if staff.role == "admin":
        return None
    rows = session.scalars(select(StaffAccount.account_id).where(StaffAccount.staff_id == staff.id))
    return set(rows)


def require_account(session: Session, staff: Staff, account_id: int) -> None:
    """Refuse ``staff`` access to an account they were not given."""
    allowed = account_ids(session, staff)
    if allowed is not None and account_id not in allowed:
        raise Forbidden(msg("You do not work on this Official Account."))


def grant_accounts(session: Session, staff: Staff, account_slugs: list[str]) -> list[int]:
    """Set the accounts a staff member works on to exactly ``account_slugs``."""
    wanted = set()
    for slug in account_slugs:
        account = session.scalar(select(OfficialAccount).where(OfficialAccount.slug == slug))
        if account is None:
            raise InvalidInput(
                msg("Unknown Official Account."), fields={"accounts": msg("No account named {name}.", name=repr(slug))}
            )
        wanted.add(account.id)
    current = {
        row.account_id: row for row in session.scalars(select(StaffAccount).where(StaffAccount.staff_id == staff.id))
    }
    for account_id, row in current.items():
        if account_id not in wanted:
            session.delete(row)
    session.add_all(StaffAccount(staff_id=staff.id, account_id=a) for a in wanted - set(current))
    session.flush()
    return sorted(wanted)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(session: Session, staff: Staff, label: str, role: str, now: datetime) -> tuple[ApiToken, str]:
    """A new API token for ``staff``; the plain token is returned once and never stored."""
    allowed = ROLES if staff.role == "admin" else tuple(r for r in ROLES if r in (staff.role, "operator"))
    if role not in allowed:
        raise InvalidInput(
            msg("A token cannot have more power than its owner."),
            fields={"role": msg("Choose one of: {choices}.", choices=", ".join(allowed))},
        )
    plain = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        staff_id=staff.id, label=(label or "").strip()[:120], role=role, token_hash=_digest(plain), created_at=now
    )
    session.add(token)
    session.flush()
    return token, plain


def staff_for_token(session: Session, plain: str, now: datetime) -> tuple[Staff, str] | None:
    """The owner and effective role of a live token, or ``None``."""
    if not plain.startswith(TOKEN_PREFIX) or len(plain) > 200:
        return None
    token = session.scalar(select(ApiToken).where(ApiToken.token_hash == _digest(plain)))
    if token is None or token.revoked_at is not None or not token.staff.active:
        return None
    token.last_used_at = now
    # A token never outranks its owner, even if the owner was demoted after it was made.
    role = token.role if token.staff.role == "admin" or token.role in (token.staff.role, "operator") else "operator"
    return token.staff, role


def revoke_token(session: Session, staff: Staff, token_id: int, now: datetime) -> ApiToken:
    """Revoke one of ``staff``'s tokens (admins may revoke anyone's)."""
    token = session.get(ApiToken, token_id)
    if token is None or (token.staff_id != staff.id and staff.role != "admin"):
        raise NotFound(msg("No such token."))
    token.revoked_at = token.revoked_at or now
    return token
