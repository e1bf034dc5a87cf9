"""A local stand-in for the WeChat endpoints the platform uses.

It is a separate WSGI app, never imported by the product: the product reaches it
only through ``WECHAT_API_BASE`` / ``WECHAT_OPEN_BASE`` / ``WECHAT_MP_BASE``.
"""

from __future__ import annotations

from flask import Flask

from .state import SimState


def create_simulator(state: SimState | None = None, app_url: str = "http://127.0.0.1:5000") -> Flask:
    """Build the simulator app around ``state`` (a fresh one by default)."""
    app = Flask(__name__)
    app.config["SIM_STATE"] = state or SimState()
    app.config["APP_URL"] = app_url.rstrip("/")
    from .api import bp as api_bp
    from .busifavor import register as register_busifavor
    from .cards import register as register_cards
    from .console import bp as console_bp
    from .jssdk import bp as jssdk_bp
    from .menu import bp as menu_bp
    from .notices import bp as notices_bp
    from .oauth import bp as oauth_bp
    from .pay import register as register_pay
    from .push import push_hook

    app.config["SIM_PUSH"] = push_hook
    app.register_blueprint(api_bp)
    app.register_blueprint(oauth_bp)
    app.register_blueprint(console_bp)
    app.register_blueprint(jssdk_bp)
    app.register_blueprint(menu_bp)
    app.register_blueprint(notices_bp)
    register_cards(app)
    register_pay(app)
    register_busifavor(app)
    return app
