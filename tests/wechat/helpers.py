"""Logging a follower in through the simulator, for any test that needs a real login.

The app must be configured to the simulator (the ``sim_live_server`` fixture does it).
``page_or_session`` is a Playwright page or a ``requests.Session``; either way the
login goes through the app's OAuth redirect, the simulator's authorize step and the
app's callback, exactly as in WeChat.
"""

from __future__ import annotations

from urllib.parse import urlencode


def login_url(app_url: str, slug: str, next_path: str | None = None) -> str:
    """The app's login URL for the campaign ``slug``."""
    return f"{app_url.rstrip('/')}/c/{slug}/login?" + urlencode({"next": next_path or f"/c/{slug}/"})


def _with_sim_user(authorize_url: str, user: str) -> str:
    url, _, _fragment = authorize_url.partition("#")
    return f"{url}&{urlencode({'sim_user': user})}"


def login_through_simulator(page_or_session, app_url: str, slug: str, user: str, next_path: str | None = None):
    """Log ``user`` (a simulated follower's name) in to campaign ``slug``; return where it lands.

    With a ``requests.Session`` the return value is the final response (its cookies are
    in the session). With a Playwright page, the page ends on ``next_path`` (the game
    page by default) and the return value is that page's URL.
    """
    start = login_url(app_url, slug, next_path)
    if hasattr(page_or_session, "goto"):
        page = page_or_session
        page.goto(start)
        page.wait_for_selector("[data-screen=sim-authorize]")
        page.fill("#new-user input[name=sim_user]", user)
        with page.expect_navigation(url=lambda url: url.startswith(app_url.rstrip("/"))):
            page.click("#new-user button[type=submit]")
        return page.url
    session = page_or_session
    response = session.get(start, allow_redirects=False, timeout=10)
    if response.status_code != 302:
        raise AssertionError(f"login did not redirect to WeChat: {response.status_code} {response.text[:200]}")
    return session.get(_with_sim_user(response.headers["Location"], user), timeout=10)
