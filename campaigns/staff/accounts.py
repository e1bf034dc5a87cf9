"""Adding an Official Account from the admin form, its secrets sealed before they are stored."""

from __future__ import annotations

import re
from collections.abc import Mapping

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from ..catalog.messages import msg
from ..catalog.models import OfficialAccount
from ..crypto import SecretBox
from ..errors import InvalidInput

SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$")
APP_ID = re.compile(r"^wx[0-9a-zA-Z]{14,30}$")
AES_KEY = re.compile(r"^[A-Za-z0-9]{43}$")


def _check(form: Mapping[str, str]) -> dict[str, str]:
    problems = {}
    if not SLUG.match(form.get("slug", "")):
        problems["slug"] = msg("Use lowercase letters, digits and dashes.")
    if not 0 < len(form.get("name", "").strip()) <= 120:
        problems["name"] = msg("Enter the account's name (at most 120 characters).")
    if not APP_ID.match(form.get("app_id", "")):
        problems["app_id"] = msg("Enter the AppID shown in the WeChat admin (it starts with wx).")
    if not 8 <= len(form.get("app_secret", "")) <= 128:
        problems["app_secret"] = msg("Enter the AppSecret.")
    if not 3 <= len(form.get("token", "")) <= 32:
        problems["token"] = msg("Enter the server token (3 to 32 characters).")
    if form.get("aes_key") and not AES_KEY.match(form.get("aes_key", "")):
        problems["aes_key"] = msg("The EncodingAESKey is 43 letters and digits.")
    return problems


def create_account(session: Session, box: SecretBox, form: Mapping[str, str]) -> OfficialAccount:
    """A new Official Account, refused with field messages when anything is missing or taken."""
    problems = _check(form)
    if not problems:
        taken = session.scalar(
            select(OfficialAccount).where(
                or_(OfficialAccount.slug == form["slug"], OfficialAccount.app_id == form["app_id"])
            )
        )
        if taken is not None:
            problems["slug" if taken.slug == form["slug"] else "app_id"] = msg("Another account already uses this.")
    if problems:
        raise InvalidInput(msg("Please correct the highlighted fields."), fields=problems)
    account = OfficialAccount(
        slug=form["slug"],
        name=form["name"].strip(),
        app_id=form["app_id"],
        original_id=(form.get("original_id") or "").strip()[:64],
        app_secret_sealed=box.seal(form["app_secret"]),
        token_sealed=box.seal(form["token"]),
        aes_key_sealed=box.seal(form["aes_key"]) if form.get("aes_key") else "",
    )
    session.add(account)
    session.flush()
    return account
