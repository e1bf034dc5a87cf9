"""Draw flooding: one player or one address is refused with 429 and the others keep drawing."""

from __future__ import annotations

import logging
import threading
import time
import uuid

from campaigns.clock import FixedClock, SystemClock
from campaigns.draws.publish import MIN_INTERVAL_MS, publish
from extensions import db
from tests.conftest import ServerThread
from tests.games.helpers import make_campaign, published

from .helpers import follower_client, post_draw


def test_one_player_drawing_again_within_the_minimum_interval_is_refused_with_429(app, services):
    campaign = make_campaign(status="draft")
    publish(db.session, services.redis, campaign, clock=services.clock, secrets=services.secrets)
    db.session.commit()
    player = follower_client(app, campaign, "o-flooder")
    answers = [post_draw(player, campaign) for _ in range(5)]
    assert answers[0].status_code == 200
    assert [a.status_code for a in answers[1:]] == [429] * 4
    assert {a.get_json()["error"]["code"] for a in answers[1:]} == {"rate_limited"}
    # The minimum interval is measured by the draw script on Redis's own clock: a real wait, the only one here.
    time.sleep(MIN_INTERVAL_MS / 1000 + 0.05)
    assert post_draw(player, campaign).status_code == 200
    assert follower_client(app, campaign, "o-neighbour").get(f"/c/{campaign.slug}/me").get_json()["next_nonce"] == 0


def test_many_openids_from_one_address_are_limited_per_second_and_logged(app, services, caplog):
    app.config["DRAW_IP_LIMIT"] = 5
    # The address window is the app's clock's: stand it at the real instant (the draw script's schedule
    # is Redis's clock) and move it a second on instead of waiting one.
    services.clock = FixedClock(SystemClock().now())
    campaign = published(services)
    flooders = [follower_client(app, campaign, f"o-fake-{n}", address="203.0.113.9") for n in range(8)]
    with caplog.at_level(logging.WARNING, logger="web.ratelimit"):
        answers = [post_draw(client, campaign) for client in flooders]
    assert [a.status_code for a in answers] == [200] * 5 + [429] * 3
    assert answers[-1].get_json()["error"]["code"] == "rate_limited" and answers[-1].headers["Retry-After"] == "1"
    assert [r.address for r in caplog.records if r.getMessage() == "draws rate-limited"] == ["203.0.113.9"]
    # Refused draws changed nothing: the last three fakes are still at their first nonce.
    assert flooders[-1].get(f"/c/{campaign.slug}/me").get_json()["next_nonce"] == 0
    # A follower from another address is not held back, and the flooder's window passes.
    assert post_draw(follower_client(app, campaign, "o-honest", address="198.51.100.20"), campaign).status_code == 200
    assert post_draw(flooders[-1], campaign).status_code == 429
    services.clock.advance(seconds=1)
    assert post_draw(flooders[-1], campaign).status_code == 200


def test_a_flooder_hammering_over_http_does_not_hold_back_another_player(app, services):
    import requests
    from werkzeug.middleware.proxy_fix import ProxyFix

    app.config["DRAW_IP_LIMIT"] = 20
    campaign = published(services)
    serializer = app.session_interface.get_signing_serializer(app)
    cookies = [serializer.dumps({f"follower:{campaign.account_id}": f"o-bot-{n}"}) for n in range(3)]
    honest_cookie = serializer.dumps({f"follower:{campaign.account_id}": "o-honest"})
    statuses: list[int] = []
    stop = threading.Event()

    def post(http, cookie: str, address: str):
        return http.post(
            f"{server.url}/c/{campaign.slug}/draw",
            json={},
            cookies={"session": cookie},
            headers={"Idempotency-Key": uuid.uuid4().hex, "X-Forwarded-For": address},
            timeout=10,
        )

    def hammer(cookie: str) -> None:
        http = requests.Session()
        while not stop.is_set():
            statuses.append(post(http, cookie, "203.0.113.9").status_code)

    # Served as behind one trusted reverse proxy, so each client's address is its X-Forwarded-For.
    with ServerThread(ProxyFix(app.wsgi_app, x_for=1)) as server:
        threads = [threading.Thread(target=hammer, args=(cookie,)) for cookie in cookies]
        first_window = int(services.clock.now().timestamp())
        for thread in threads:
            thread.start()
        try:
            # Until the flooders are refused (a loaded machine sends fewer than 20 a second at first).
            deadline = time.monotonic() + 20
            while 429 not in statuses and time.monotonic() < deadline:
                time.sleep(0.02)
            honest, timings = requests.Session(), []
            for _ in range(3):
                started = time.monotonic()
                timings.append((post(honest, honest_cookie, "198.51.100.30").status_code, time.monotonic() - started))
        finally:
            stop.set()
            for thread in threads:
                thread.join(10)
        windows = int(services.clock.now().timestamp()) - first_window + 1
    assert [status for status, _ in timings] == [200, 200, 200]
    assert max(seconds for _, seconds in timings) < 2
    assert 429 in statuses and set(statuses) <= {200, 429}
    # The flooders' address got at most its 20 draws in each second-long window the hammering spanned.
    assert statuses.count(200) <= 20 * windows
