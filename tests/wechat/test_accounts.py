"""An account's secrets are sealed at rest and only ever shown masked."""

from __future__ import annotations

import pytest

from campaigns.errors import InvalidInput
from campaigns.wechat.accounts import credentials, masked_secrets, set_secrets
from tests.factories import OfficialAccountFactory
from tests.wechat.pushes import AES_KEY


def test_secrets_are_sealed_and_shown_masked(services):
    account = OfficialAccountFactory()
    set_secrets(services.secrets, account, app_secret="s3cret-app-secret-9f3a", token="tok3n", aes_key=AES_KEY)
    assert "s3cret" not in account.app_secret_sealed and AES_KEY not in account.aes_key_sealed
    creds = credentials(services.secrets, account)
    assert (creds.app_secret, creds.token, creds.aes_key) == ("s3cret-app-secret-9f3a", "tok3n", AES_KEY)
    assert "s3cret" not in repr(creds)
    shown = masked_secrets(services.secrets, account)
    assert shown["app_secret"].endswith("9f3a") and "s3cret" not in shown["app_secret"]
    assert AES_KEY not in shown["aes_key"]


def test_none_keeps_a_secret_and_a_bad_aes_key_is_refused(services):
    account = OfficialAccountFactory()
    set_secrets(services.secrets, account, app_secret="first")
    set_secrets(services.secrets, account, token="t")
    assert credentials(services.secrets, account).app_secret == "first"
    with pytest.raises(InvalidInput) as refused:
        set_secrets(services.secrets, account, aes_key="too-short")
    assert refused.value.fields == {"aes_key": "invalid"}
