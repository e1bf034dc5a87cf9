"""Security headers on every response, the reverse proxies we trust, and the per-address limits.

Behind ``PROXY_HOPS`` reverse proxies the client's address and scheme come from their
``X-Forwarded-For`` and ``X-Forwarded-Proto`` headers (and from nobody else's), so HSTS
is sent when the follower reached us over TLS and the per-address draw limit counts the
follower's address, not the proxy's.
"""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import urlsplit

from flask import Flask, request
from werkzeug.middleware.proxy_fix import ProxyFix

from . import ratelimit


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def content_security_policy(config) -> str:
    """The CSP: scripts only from this site and the JS-SDK's origin; no inline scripts."""
    from .wechat.jssdk import jssdk_scripts

    script_origins = sorted({_origin(url) for url in jssdk_scripts(config)})
    # The simulator's JS-SDK stand-in talks to the simulator from the page.
    connect = [_origin(config["WECHAT_API_BASE"])] if config.get("WECHAT_SIMULATOR") else []
    return "; ".join(
        [
            "default-src 'self'",
            " ".join(["script-src 'self'", *script_origins]),
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data: blob:",
            " ".join(["connect-src 'self'", *connect]),
            "frame-ancestors 'none'",
            "base-uri 'self'",
            "form-action 'self'",
        ]
    )


# Sent unless the view set its own.
FIXED_HEADERS = (("X-Content-Type-Options", "nosniff"), ("Referrer-Policy", "same-origin"), ("X-Frame-Options", "DENY"))


@lru_cache(maxsize=8)
def _csp(api_base: str, simulator: bool, jssdk_url: str) -> str:
    return content_security_policy(
        {"WECHAT_API_BASE": api_base, "WECHAT_SIMULATOR": simulator, "WECHAT_JSSDK_URL": jssdk_url}
    )


def check_csrf(app: Flask) -> None:
    """The staff's CSRF check (Flask-WTF's, exempt views and blueprints skipped) on the methods it guards only."""
    from extensions import csrf

    methods = app.config["WTF_CSRF_METHODS"]

    @app.before_request
    def csrf_protect():
        if request.method in methods and app.config["WTF_CSRF_ENABLED"]:
            csrf.protect(apply_exemptions=True)


def register(app: Flask) -> None:
    """Add the headers to every response of ``app``, trust its proxies and limit draws per address."""
    hops = app.config.get("PROXY_HOPS") or 0
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)
    ratelimit.register(app)

    @app.after_request
    def headers(response):
        config = app.config
        csp = _csp(config["WECHAT_API_BASE"], bool(config.get("WECHAT_SIMULATOR")), config["WECHAT_JSSDK_URL"])
        headers = response.headers
        # One pass over the response's few headers instead of a lookup (and a KeyError) per header.
        present = {name.lower(): value for name, value in headers.items()}
        own = present.get("content-security-policy")
        if own is None:
            headers.add("Content-Security-Policy", csp)
        elif "frame-ancestors" not in own:
            # A view's own policy (uploaded images) may not be framed either.
            headers["Content-Security-Policy"] = f"{own}; frame-ancestors 'none'"
        for name, value in FIXED_HEADERS:
            if name.lower() not in present:
                headers.add(name, value)
        if "strict-transport-security" not in present and (config.get("APP_ENV") == "production" or request.is_secure):
            headers.add("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        return response
