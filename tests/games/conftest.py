"""The game tests' test client speaks as WeChat's in-app browser, as followers' phones do."""

import pytest

from tests.conftest import WECHAT_UA


@pytest.fixture
def client(app):
    """A test client with WeChat's user agent."""
    client = app.test_client()
    client.environ_base["HTTP_USER_AGENT"] = WECHAT_UA
    return client
