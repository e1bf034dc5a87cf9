"""The app the HTTP benchmark serves: the product, plus one trivial logged-in JSON endpoint as the ceiling.

``GET /bench/<account_id>/whoami`` reads the same signed session cookie as a draw and
answers the follower's openid: everything every follower request pays (WSGI, session,
security headers, JSON) and nothing else. It exists only in this module, never in the
product.
"""

from __future__ import annotations

from flask import Flask, jsonify

from app import create_app
from web.follower import require_openid


def create_bench_app() -> Flask:
    app = create_app()

    @app.get("/bench/<int:account_id>/whoami")
    def whoami(account_id: int):
        return jsonify({"openid": require_openid(account_id)})

    return app
