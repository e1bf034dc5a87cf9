"""One error type per failure a user can see.

Each error carries a stable ``code`` (what API clients switch on), an HTTP status
(the web layer's only translation) and a message a person can read. The web layer
turns any :class:`CampaignError` into ``{"error": {"code", "message"}}``.
"""

from __future__ import annotations


class CampaignError(Exception):
    """Base of every error the user can see."""

    code = "error"
    status = 400

    def __init__(self, message: str, *, fields: dict[str, str] | None = None, **details):
        super().__init__(message)
        self.message = message
        self.fields = fields or {}
        self.details = details


class InvalidInput(CampaignError):
    code, status = "invalid_input", 400


class LoginRequired(CampaignError):
    code, status = "login_required", 401


class Forbidden(CampaignError):
    code, status = "forbidden", 403


class FollowRequired(CampaignError):
    code, status = "follow_required", 403


class NotFound(CampaignError):
    code, status = "not_found", 404


class Conflict(CampaignError):
    code, status = "conflict", 409


class SlugTaken(InvalidInput):
    """Another campaign uses the address: a field problem (the editor shows it there) that is a 409 to the API."""

    code, status = "slug_taken", 409


class NotStarted(CampaignError):
    code, status = "not_started", 409


class Paused(CampaignError):
    code, status = "paused", 409


class Ended(CampaignError):
    code, status = "ended", 409


class LimitReached(CampaignError):
    code, status = "limit_reached", 429


class RateLimited(CampaignError):
    code, status = "rate_limited", 429


class IdempotencyKeyReused(CampaignError):
    """The Idempotency-Key was first sent with another request body; the first request's draw stands."""

    code, status = "idempotency_key_reused", 422


class Busy(CampaignError):
    """A backing service (Redis, the database, WeChat) is unavailable for now."""

    code, status = "busy", 503


class WeChatError(CampaignError):
    """WeChat answered with an error we cannot recover from in this request."""

    code, status = "wechat_error", 502


class CouponRefused(CampaignError):
    """A coupon cannot be redeemed; subclasses say why."""

    code, status = "coupon_refused", 409


class CouponUnknown(CouponRefused):
    code, status = "coupon_unknown", 404


class CouponForeign(CouponRefused):
    code, status = "coupon_foreign", 403


class CouponNotValid(CouponRefused):
    """Outside the coupon's validity dates, or expired."""

    code, status = "coupon_not_valid", 409


class CouponNotIssued(CouponRefused):
    code, status = "coupon_not_issued", 409


class AlreadyRedeemed(CouponRefused):
    code, status = "already_redeemed", 409


class LoginFailed(CampaignError):
    """WeChat login could not complete (expired or reused code, forged state, bad return address)."""

    code, status = "login_failed", 400
