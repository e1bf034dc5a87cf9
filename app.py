"""The application factory: defaults, then environment, then test overrides; then wiring."""

from __future__ import annotations

import os

from flask import Flask
from flask_babel import get_locale
from rq import Queue
from sqlalchemy.orm import sessionmaker

import config
from campaigns import (
    models,  # noqa: F401 - registers every table on the metadata
    runtime,
)
from campaigns.clock import SystemClock
from campaigns.crypto import SecretBox
from campaigns.draws.published import PublishedCampaigns
from campaigns.redisconn import connect
from campaigns.wechat.book import AccountBooks
from extensions import babel, csrf, db, migrate
from web.application import CampaignFlask
from web.sessions import SessionCookie


def create_app(test_config: dict | None = None) -> Flask:
    """Build the Flask app; ``test_config`` overrides any setting."""
    app = CampaignFlask(__name__, instance_relative_config=True)
    app.config.update(config.load(instance_path=app.instance_path))
    if test_config:
        app.config.update(test_config)
    os.makedirs(app.instance_path, exist_ok=True)
    register_logging(app)
    register_extensions(app)
    register_services(app)
    register_blueprints(app)
    register_handlers(app)
    register_commands(app)
    return app


def register_logging(app: Flask) -> None:
    from web import logs

    if not app.config.get("TESTING"):
        logs.configure(app.config["LOG_LEVEL"])


def register_extensions(app: Flask) -> None:
    from web import language, security

    db.init_app(app)
    migrate.init_app(app, db, directory=os.path.join(app.root_path, "migrations"), render_as_batch=True)
    # Flask-WTF's own hook runs on every request; ours only on the methods it guards (web.security).
    app.config["WTF_CSRF_CHECK_DEFAULT"] = False
    csrf.init_app(app)
    security.check_csrf(app)
    babel.init_app(app, locale_selector=language.select_locale, default_locale=language.DEFAULT)
    app.session_interface = SessionCookie()
    app.jinja_env.globals["get_locale"] = get_locale


def register_services(app: Flask) -> None:
    redis_url = app.config["REDIS_URL"] or f"unix://{app.config['EMBEDDED_REDIS_DIR']}/redis.sock"
    app.config["REDIS_URL_EFFECTIVE"] = redis_url
    with app.app_context():
        session_factory = sessionmaker(bind=db.engine, expire_on_commit=False)
    secrets = SecretBox(app.config["ENCRYPTION_KEY"] or app.config["SECRET_KEY"])
    services = runtime.Runtime(
        session_factory=session_factory,
        redis=connect(redis_url),
        clock=app.config.get("CLOCK") or SystemClock(),
        secrets=secrets,
        queue=Queue("default", connection=connect(app.config["RQ_REDIS_URL"] or redis_url, decode=False)),
        settings=app.config,  # the one copy of the configuration: a view and a job read the same
        published=PublishedCampaigns(secrets),
        replies=AccountBooks(secrets),
    )
    app.extensions["services"] = services
    runtime.bind(services)


def register_blueprints(app: Flask) -> None:
    from games import bp as games_bp
    from web.api import bp as api_bp
    from web.console import bp as console_bp
    from web.coupon_views import bp as coupons_bp
    from web.health import bp as health_bp
    from web.redeem import bp as redeem_bp
    from web.results import bp as results_bp
    from web.wechat import bp as wechat_bp

    app.register_blueprint(health_bp)
    app.register_blueprint(console_bp)
    app.register_blueprint(api_bp)
    app.register_blueprint(games_bp)
    app.register_blueprint(coupons_bp)
    app.register_blueprint(redeem_bp)
    app.register_blueprint(wechat_bp)
    app.register_blueprint(results_bp)


def register_handlers(app: Flask) -> None:
    from web import errors, inputs, security

    errors.register(app)
    inputs.register(app)
    security.register(app)


def register_commands(app: Flask) -> None:
    from web.cli import register

    register(app)
