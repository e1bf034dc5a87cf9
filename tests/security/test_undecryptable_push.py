"""A correctly signed safe-mode push whose Encrypt is not our ciphertext: 400, one warning, nothing recorded.

Found from outside (issue 16): random bytes under a valid ``msg_signature`` made wechatpy's
unpacking raise ``struct.error``, which was a 500 with a traceback at error level.
"""

from __future__ import annotations

import base64
import logging
import random

from campaigns.keys import WeChatKeys
from tests.factories import OfficialAccountFactory
from tests.wechat.pushes import TOKEN, sign, stamp


def _signed(app, encrypt: str) -> tuple[dict[str, str], str]:
    timestamp, nonce = stamp(app), "n0nce"
    args = {
        "signature": sign(TOKEN, timestamp, nonce),
        "timestamp": timestamp,
        "nonce": nonce,
        "encrypt_type": "aes",
        "msg_signature": sign(TOKEN, timestamp, nonce, encrypt),
    }
    return args, f"<xml><ToUserName><![CDATA[gh_x]]></ToUserName><Encrypt><![CDATA[{encrypt}]]></Encrypt></xml>"


def _ciphertexts() -> list[str]:
    """Ninety random ciphertexts of 32, 64 and 128 bytes, plus shapes that stop wechatpy at each step."""
    rng = random.Random(16)
    texts = [base64.b64encode(rng.randbytes(size)).decode() for size in (32, 64, 128) for _ in range(30)]
    # Not base64; not a whole AES block; empty after decoding; one block (shorter than the length prefix).
    odd = ["!!!not-base64!!!", base64.b64encode(b"x" * 17).decode(), "====", base64.b64encode(b"\0" * 16).decode()]
    return texts + odd


def test_undecryptable_signed_pushes_are_400_logged_once_as_a_warning(app, client, services, caplog):
    account = OfficialAccountFactory(slug="brand")
    statuses = []
    for encrypt in _ciphertexts():
        caplog.clear()
        args, body = _signed(app, encrypt)
        with caplog.at_level(logging.INFO):
            answer = client.post(f"/wechat/{account.slug}/callback", query_string=args, data=body)
        statuses.append(answer.status_code)
        refused = [r for r in caplog.records if r.getMessage() == "wechat push refused"]
        assert len(refused) == 1 and refused[0].levelno == logging.WARNING, encrypt
        assert refused[0].reason == "cannot decrypt", encrypt
        assert not [r for r in caplog.records if r.levelno >= logging.ERROR], encrypt
    assert set(statuses) == {400}
    assert not services.redis.keys(WeChatKeys(account.app_id).push_prefix + "*")
