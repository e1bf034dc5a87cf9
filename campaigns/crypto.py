"""Secrets at rest: server seeds and WeChat credentials are stored encrypted.

Fernet (AES-128-CBC with HMAC-SHA256, from ``cryptography``) with a key derived
from ``ENCRYPTION_KEY``, or from ``SECRET_KEY`` when no separate key is set.
"""

from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken


class SecretBox:
    """Encrypts and decrypts short secrets with one application key."""

    def __init__(self, key_material: str):
        if not key_material:
            raise ValueError("an encryption key is required")
        digest = hashlib.sha256(b"wechat-campaigns/at-rest/v1:" + key_material.encode()).digest()
        self._fernet = Fernet(base64.urlsafe_b64encode(digest))

    def seal(self, plaintext: str) -> str:
        """Encrypt ``plaintext``; the result is ASCII, safe for a text column."""
        return self._fernet.encrypt(plaintext.encode()).decode("ascii")

    def open(self, token: str) -> str:
        """Decrypt what :meth:`seal` produced; raises ``ValueError`` if tampered with."""
        try:
            return self._fernet.decrypt(token.encode("ascii")).decode()
        except InvalidToken:
            raise ValueError("secret cannot be decrypted with this key") from None


def masked(secret: str, keep: int = 4) -> str:
    """Show a secret back to staff without revealing it: ``••••••3f9a``."""
    if not secret:
        return ""
    return "•" * 6 + secret[-keep:]
