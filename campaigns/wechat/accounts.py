"""An Official Account's credentials: sealed at rest, opened only to talk to WeChat."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass

from ..catalog.models import OfficialAccount
from ..crypto import SecretBox, masked
from ..errors import InvalidInput


@dataclass(frozen=True)
class Credentials:
    """What talking to WeChat for one account needs, in the clear (never logged, never shown)."""

    app_id: str
    app_secret: str
    token: str
    aes_key: str

    def __repr__(self) -> str:
        return f"Credentials(app_id={self.app_id!r}, secrets=hidden)"


def credentials(box: SecretBox, account: OfficialAccount) -> Credentials:
    """Open the account's sealed secrets."""
    return Credentials(
        app_id=account.app_id,
        app_secret=box.open(account.app_secret_sealed),
        token=box.open(account.token_sealed),
        aes_key=box.open(account.aes_key_sealed) if account.aes_key_sealed else "",
    )


def check_aes_key(aes_key: str) -> None:
    """An EncodingAESKey is 43 characters of base64 that decode to 32 bytes."""
    try:
        ok = len(aes_key) == 43 and len(base64.b64decode(aes_key + "=", validate=True)) == 32
    except (binascii.Error, ValueError):
        ok = False
    if not ok:
        raise InvalidInput(
            "The EncodingAESKey must be the 43 characters shown by WeChat.", fields={"aes_key": "invalid"}
        )


def set_secrets(
    box: SecretBox,
    account: OfficialAccount,
    *,
    app_secret: str | None = None,
    token: str | None = None,
    aes_key: str | None = None,
) -> None:
    """Seal new secrets onto ``account``; ``None`` keeps the stored one."""
    if app_secret is not None:
        account.app_secret_sealed = box.seal(app_secret)
    if token is not None:
        account.token_sealed = box.seal(token)
    if aes_key is not None:
        if aes_key:
            check_aes_key(aes_key)
        account.aes_key_sealed = box.seal(aes_key) if aes_key else ""


def masked_secrets(box: SecretBox, account: OfficialAccount) -> dict[str, str]:
    """The account's secrets as staff may see them: the last few characters only."""
    creds = credentials(box, account)
    return {"app_secret": masked(creds.app_secret), "token": masked(creds.token), "aes_key": masked(creds.aes_key)}
