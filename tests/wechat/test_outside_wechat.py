"""Pages opened outside WeChat's browser ask to be opened in WeChat, unless the simulator is on."""

from __future__ import annotations

import pytest

from games.outside import outside_wechat
from tests.conftest import WECHAT_UA
from tests.factories import CampaignFactory

DESKTOP_UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36"


@pytest.fixture
def campaign(app):
    return CampaignFactory(status="live", slug="autumn")


def test_outside_wechat_shows_the_campaign_qr_code(app, campaign):
    with app.test_request_context("/c/autumn/", headers={"User-Agent": DESKTOP_UA}):
        response = outside_wechat(campaign)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and 'data-screen="open-in-wechat"' in page
    assert 'src="data:image/svg+xml;base64,' in page and "http://127.0.0.1:5000/c/autumn/" in page


def test_inside_wechat_the_page_goes_on(app, campaign):
    with app.test_request_context("/c/autumn/", headers={"User-Agent": WECHAT_UA}):
        assert outside_wechat(campaign) is None


def test_the_simulator_setting_lets_any_browser_in(app, campaign):
    app.config["WECHAT_SIMULATOR"] = True
    with app.test_request_context("/c/autumn/", headers={"User-Agent": DESKTOP_UA}):
        assert outside_wechat(campaign) is None
