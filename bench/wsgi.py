"""The apps the HTTP benchmark serves: the product with one trivial logged-in endpoint, and bare Flask.

``GET /bench/<account_id>/whoami`` reads the same signed session cookie as a draw and
answers the follower's openid: everything every follower request pays (WSGI, session,
security headers, JSON) and nothing else. ``create_bare_app`` is Flask with one JSON
hello and nothing of the product: the ceiling every endpoint is a share of. Both exist
only in this module, never in the product.
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


def create_bare_app() -> Flask:
    app = Flask(__name__)

    @app.get("/hello")
    def hello():
        return jsonify({"hello": "world"})

    return app
