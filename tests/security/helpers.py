"""Shared pieces of the attack tests: a live campaign, logged-in followers, the XSS payload."""

from __future__ import annotations

import uuid

from tests.conftest import WECHAT_UA

# Closes any tag or attribute it lands in and runs script two ways if it is ever rendered raw.
# Both vectors in 54 characters, so it fits every limited field (a channel name holds 64).
XSS = "\"'><script>__xss=1</script><img src=x onerror=__xss=1>"


def follower_client(app, campaign, openid: str, address: str = "198.51.100.7"):
    """A test client of WeChat's browser, from ``address``, logged in as ``openid``."""
    client = app.test_client()
    client.environ_base.update(HTTP_USER_AGENT=WECHAT_UA, REMOTE_ADDR=address)
    with client.session_transaction() as session:
        session[f"follower:{campaign.account_id}"] = openid
    return client


def post_draw(client, campaign, body: dict | None = None, **query):
    """One draw with a fresh ``Idempotency-Key``."""
    return client.post(
        f"/c/{campaign.slug}/draw", json=body or {}, query_string=query, headers={"Idempotency-Key": uuid.uuid4().hex}
    )
