"""Coupon fixtures: a published campaign with coupon tiers, stores, staff, and the WeChat simulator."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import g

from campaigns.coupons.models import CouponCode
from campaigns.coupons.stores import create_store
from extensions import db
from simulator import create_simulator
from simulator.state import DEMO_APP_ID, DEMO_APP_SECRET, DEMO_SLUG, DEMO_TOKEN
from tests.conftest import ServerThread
from tests.factories import (
    BOX,
    NOW,
    CampaignFactory,
    CouponCodeFactory,
    OfficialAccountFactory,
    PrizeTierFactory,
    StaffFactory,
)


@pytest.fixture
def sim(app):
    """The WeChat simulator over HTTP; the app's WeChat base URL points at it."""
    simulator = create_simulator(app_url="http://127.0.0.1:1")
    with ServerThread(simulator) as server:
        server.app = simulator
        app.config["WECHAT_API_BASE"] = server.url
        app.extensions["services"].settings["WECHAT_API_BASE"] = server.url
        yield server


@pytest.fixture
def pushing_sim(app, live_server):
    """A simulator that delivers its pushes to the live app's webhook."""
    simulator = create_simulator(app_url=live_server.url)
    services = app.extensions["services"]
    # WeChat signs pushes with the time it sends them; here that is the app's (possibly frozen) clock.
    simulator.config["SIM_STATE"].clock = lambda: services.clock.now().timestamp()
    with ServerThread(simulator) as server:
        server.app = simulator
        wiring = {"WECHAT_API_BASE": server.url, "WECHAT_SIMULATOR": True, "PUBLIC_URL": live_server.url}
        app.config.update(wiring)
        app.extensions["services"].settings.update(wiring)
        yield server


@pytest.fixture
def account(app):
    """The simulator's demo account, with its real secrets sealed under the app's key."""
    return OfficialAccountFactory(
        app_id=DEMO_APP_ID,
        slug=DEMO_SLUG,
        app_secret_sealed=BOX.seal(DEMO_APP_SECRET),
        token_sealed=BOX.seal(DEMO_TOKEN),
    )


@pytest.fixture
def campaign(account):
    """A live campaign of the account."""
    return CampaignFactory(account=account, status="live", name="双十二刮刮卡")


@pytest.fixture
def code_tier(campaign):
    """A tier of platform codes valid for a week."""
    return PrizeTierFactory(
        campaign=campaign,
        tier="coffee",
        name="Free coffee",
        coupon_kind="code",
        valid_from=NOW - timedelta(days=1),
        valid_until=NOW + timedelta(days=7),
    )


@pytest.fixture
def store(account):
    """A store of the account."""
    store = create_store(db.session, account, "Store A")
    db.session.commit()
    return store


@pytest.fixture
def operator(account):
    """A signed-in-able operator of the account."""
    staff = StaffFactory(role="operator", accounts=[account])
    db.session.commit()
    return staff


@pytest.fixture
def ctx(services):
    """The issuers' collaborators; WeChat is whichever simulator the test started."""
    return services.context(db.session)


def won(tier, openid: str = "o-winner", code: str | None = None, **fields) -> CouponCode:
    """A coupon of ``tier`` as the draw ledger leaves it: issued to ``openid``."""
    values = dict(tier_id=tier.id, state="issued", openid=openid, draw_seq=1, issued_at=NOW, **fields)
    if code:
        values["code"] = code
    coupon = CouponCodeFactory(**values)
    db.session.commit()
    return coupon


def log_in_staff(client, staff) -> None:
    """Sign ``staff`` in on the test client."""
    # The tests' app context outlives requests, so forget the staff member an earlier request cached.
    g.pop("staff", None)
    with client.session_transaction() as session:
        session["staff_id"] = staff.id
