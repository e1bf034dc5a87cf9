"""Console fixtures: an account, staff of each role, signed-in clients and a valid campaign document."""

from __future__ import annotations

from datetime import timedelta

import pytest

from campaigns.staff.models import StaffAccount
from campaigns.staff.services import hash_password
from extensions import db
from simulator.state import DEMO_APP_ID, DEMO_APP_SECRET, DEMO_TOKEN
from tests.factories import BOX, NOW, OfficialAccountFactory, StaffFactory

PASSWORD = "correct horse battery"


@pytest.fixture
def client(app):
    """A browser that prefers English: these tests read the console's English words (test_language checks Chinese)."""
    test_client = app.test_client()
    test_client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en-US,en;q=0.9"
    return test_client


@pytest.fixture
def account(app):
    """The simulator's demo account (so WeChat calls work when ``wechat`` is used) under the slug "brand"."""
    return OfficialAccountFactory(
        slug="brand",
        name="Brand",
        app_id=DEMO_APP_ID,
        app_secret_sealed=BOX.seal(DEMO_APP_SECRET),
        token_sealed=BOX.seal(DEMO_TOKEN),
    )


@pytest.fixture(autouse=True)
def no_real_wechat(app):
    """Console tests never reach the real WeChat: unless ``wechat`` wires the simulator, it is a closed port."""
    closed = {"WECHAT_API_BASE": "http://127.0.0.1:1", "WECHAT_MP_BASE": "http://127.0.0.1:1"}
    app.config.update(closed)
    app.extensions["services"].settings.update(closed)


@pytest.fixture
def wechat(app, no_real_wechat, simulator):
    """The app's WeChat is the simulator, over HTTP."""
    wiring = {"WECHAT_API_BASE": simulator.url, "WECHAT_MP_BASE": simulator.url}
    app.config.update(wiring)
    app.extensions["services"].settings.update(wiring)
    return simulator


def _staff(role: str, account, email: str):
    staff = StaffFactory(email=email, role=role, password_hash=hash_password(PASSWORD))
    if account is not None:
        db.session.add(StaffAccount(staff_id=staff.id, account_id=account.id))
    db.session.commit()
    return staff


@pytest.fixture
def admin(account):
    return _staff("admin", None, "admin@example.com")


@pytest.fixture
def marketer(account):
    return _staff("marketer", account, "marketer@example.com")


@pytest.fixture
def operator(account):
    return _staff("operator", account, "operator@example.com")


def sign_in(client, staff):
    """Sign ``staff`` in on the test client's session."""
    with client.session_transaction() as session:
        session["staff_id"] = staff.id
    return client


@pytest.fixture
def as_marketer(client, marketer):
    return sign_in(client, marketer)


@pytest.fixture
def as_operator(client, operator):
    return sign_in(client, operator)


@pytest.fixture
def as_admin(client, admin):
    return sign_in(client, admin)


def campaign_doc(slug: str = "spring-wheel", **changes) -> dict:
    """A campaign document that passes every check, starting at the test clock's now."""
    doc = {
        "slug": slug,
        "name": "Spring wheel",
        "account": "brand",
        "game": "wheel",
        "timezone": "Asia/Shanghai",
        "starts_at": (NOW + timedelta(hours=1)).isoformat(),
        "ends_at": (NOW + timedelta(days=14)).isoformat(),
        "plays_per_day": 3,
        "follow_required": False,
        "look": {"title": "Spring", "accent": "#c4161c"},
        "channels": ["poster"],
        "prizes": [
            {"tier": "gold", "name": "Free coffee", "weight": 5, "stock": 10, "value": "32.00", "coupon": "code"},
            {
                "tier": "silver",
                "name": "Half price",
                "weight": 15,
                "stock": 30,
                "daily_limit": 5,
                "value": "16",
                "coupon": "code",
            },
            {"tier": "none", "name": "Thanks", "weight": 80, "stock": 0, "fallback": True},
        ],
    }
    doc.update(changes)
    return doc


@pytest.fixture
def frozen(app, clock):
    """Run the app on the test clock."""
    app.extensions["services"].clock = clock
    return clock


@pytest.fixture
def spec(client):
    """The OpenAPI document as the app serves it."""
    return client.get("/api/v1/openapi.json").get_json()
