"""The Redis key layout: every key the platform uses is named here and nowhere else.

All keys of one campaign carry the hash tag ``{campaign:<id>}`` so that they live in
one Redis Cluster slot and a single script can touch them atomically.
"""

from __future__ import annotations


def campaign_tag(campaign_id: int) -> str:
    """The hash tag shared by every key of a campaign."""
    return f"{{campaign:{campaign_id}}}"


class CampaignKeys:
    """Names of a campaign's keys. Attributes are plain strings, safe to pass to scripts."""

    def __init__(self, campaign_id: int):
        tag = campaign_tag(campaign_id)
        self.campaign_id = campaign_id
        self.tag = tag
        # The one hash the draw script reads and writes (fields below): the published state,
        # the prize table, awarded counts, seq and every player's state.
        self.state = f"c:{tag}:state"
        # Winning moments per tier: sorted set of unit -> release ms.
        self.moments_prefix = f"c:{tag}:moments:"
        # Coupon code pools per tier (list of codes not yet given).
        self.codes_prefix = f"c:{tag}:codes:"
        # The campaign's participation event stream.
        self.events = f"c:{tag}:events"
        # Campaign-local days: sorted set of day label -> the UTC ms it begins (the first at the start).
        self.days = f"c:{tag}:days"
        # The real-winners ticker: the cached list of the last wins (JSON), and who may refresh it now.
        self.winners = f"c:{tag}:winners"
        self.winners_refresh = f"c:{tag}:winners:refresh"

    def moments(self, tier: str) -> str:
        """Sorted set of a ``moments`` tier's release instants."""
        return self.moments_prefix + tier

    def codes(self, tier: str) -> str:
        """The pool of unissued coupon codes of a tier."""
        return self.codes_prefix + tier


# Fields of a campaign's state hash (draw.lua uses the same names). Besides these: "status",
# "rules_version", "tiers" (the tier order), "rules" (the packed rules the script reads),
# and "seq" (the last draw's sequence number).
SEQ_FIELD = "seq"


def tier_field(tier: str) -> str:
    """A tier's packed release, stock, daily cap and coupon kind."""
    return "t:" + tier


def awarded_field(tier: str) -> str:
    """How many draws a tier has been awarded in."""
    return "a:" + tier


def awarded_day_field(day: str, tier: str) -> str:
    """A per_day tier's awards on one campaign-local day (``YYYY-MM-DD``)."""
    return f"ad:{day}:{tier}"


def day_field(day: str) -> str:
    """A campaign-local day's start and end (UTC ms, comma-separated)."""
    return "d:" + day


def player_field(player: str) -> str:
    """A player's packed client seed, next nonce, plays, wins and last play instant."""
    return "p:" + player


def idempotency_field(player: str, key: str) -> str:
    """The stored result of a player's draw with ``key`` (an ``Idempotency-Key``), kept until its entry is trimmed.

    Its value is ``<fingerprint>|<result>``: the fingerprint of the request's body (engine.fingerprint),
    then the script's answer.
    """
    return f"i:{player}:{key}"


def player_day_field(day: str, player: str) -> str:
    """A player's plays on one campaign-local day (counted only where plays per day are limited)."""
    return f"pd:{day}:{player}"


# Consumer group that the worker uses to ingest every campaign's event stream.
INGEST_GROUP = "ingest"
# Shared WeChat access tokens and tickets, per Official Account app id.
WECHAT_PREFIX = "wechat:"
# Rate limit buckets.
RATE_PREFIX = "rate:"
# The worker's heartbeat, written by the health check job.
HEARTBEAT = "worker:heartbeat"


def redeem_rate(actor: str) -> str:
    """Counter of one staff member's (or store link's) redemption attempts in the current minute."""
    return f"{RATE_PREFIX}redeem:{actor}"


def draw_address_rate(address: str, window: int) -> str:
    """Counter of the draws made from one client address in rate window ``window`` (a count of windows)."""
    return f"{RATE_PREFIX}draw:{address}:{window}"


class WeChatKeys:
    """Names of one Official Account's WeChat keys (shared by every web and worker process)."""

    def __init__(self, app_id: str):
        base = f"{WECHAT_PREFIX}{app_id}:"
        # The access token and the JS-SDK tickets, each with a short refresh lock beside it.
        self.access_token = base + "access_token"
        self.jsapi_ticket = base + "ticket:jsapi"
        self.card_ticket = base + "ticket:wx_card"
        # OAuth codes already exchanged (WeChat codes are single-use; we never send one twice).
        self.oauth_code_prefix = base + "oauth_code:"
        # Pushes already recorded, so WeChat's retries of one push are recorded once.
        self.push_prefix = base + "push:"
        # Whether a follower currently follows the account (user/info, cached briefly).
        self.subscribed_prefix = base + "subscribed:"
        # Permanent QR code tickets by scene.
        self.qr_prefix = base + "qr:"
        # The passive reply given to a push, so WeChat's retries of it get the same answer.
        self.reply_prefix = base + "reply:"
        # Template messages sent on one day (UTC), against the account's daily quota.
        self.templates_prefix = base + "templates:"

    @staticmethod
    def lock(key: str) -> str:
        """The refresh lock of a cached credential ``key``."""
        return key + ":lock"

    def oauth_code(self, code: str) -> str:
        """Marker that ``code`` has been exchanged."""
        return self.oauth_code_prefix + code

    def push(self, dedupe_id: str) -> str:
        """Marker that the push ``dedupe_id`` has been recorded."""
        return self.push_prefix + dedupe_id

    def subscribed(self, openid: str) -> str:
        """Cached subscribe status of ``openid``."""
        return self.subscribed_prefix + openid

    def qr(self, scene: str) -> str:
        """Cached permanent QR ticket of ``scene``."""
        return self.qr_prefix + scene

    def templates_sent(self, day: str) -> str:
        """How many template messages the account sent on ``day`` (``YYYY-MM-DD``)."""
        return self.templates_prefix + day

    def reply(self, dedupe_id: str) -> str:
        """The reply XML (plaintext) answered to the push ``dedupe_id``."""
        return self.reply_prefix + dedupe_id


def login_failures(subject: str) -> str:
    """Counter of failed console sign-ins for one e-mail address or one client address."""
    return f"{RATE_PREFIX}login:{subject}"


def payout_lock(mch_billno: str) -> str:
    """Held by the one worker sending a red packet, so the same payout run twice at once sends once."""
    return f"pay:lock:{mch_billno}"


def claim_address_day(day: str, address: str) -> str:
    """Claims made from one client address on one day (the fraud checks' daily cap)."""
    return f"{RATE_PREFIX}claims:{day}:{address}"
