"""The campaign JSON document: its schema, reading one (with field-level messages) and writing one.

One format serves the console's editor, ``flask campaigns create --from FILE`` and the API,
so a campaign can be saved, reviewed and re-created anywhere. See docs/campaign-format.md.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ..coupons.issuers import document_kinds
from .gamekinds import KEYS as GAME_KEYS
from .gamekinds import known as known_games
from .messages import msg
from .models import NO_CLAIM, Campaign

SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$")
TIER = re.compile(r"^[a-z0-9_-]{1,32}$")
HHMM = re.compile(r"^(?:[01][0-9]|2[0-3]):[0-5][0-9]$")
CURRENCY = re.compile(r"^[A-Z]{3}$")
VALUE_PATTERN = r"^(?:\d{1,7}(?:\.\d{1,2})?|10000000(?:\.0{1,2})?)$"
MAX_INT = 2_000_000_000
MAX_PRIZES = 20
# The real-winners ticker shows at most this many of the ledger's last wins.
MAX_WINNERS_SHOWN = 20
MAX_CHANNELS = 50

_int_or_null = {"type": ["integer", "null"], "minimum": 1, "maximum": MAX_INT}
_date = {"type": "string", "format": "date-time"}
PRIZE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["tier", "name", "weight"],
    "properties": {
        "tier": {"type": "string", "pattern": TIER.pattern},
        "name": {"type": "string", "minLength": 1, "maxLength": 120},
        "weight": {"type": "integer", "minimum": 1, "maximum": MAX_INT},
        "stock": {"type": "integer", "minimum": 0, "maximum": MAX_INT},
        "daily_limit": _int_or_null,
        "fallback": {"type": "boolean"},
        # At most 10,000,000 with two decimals (document._value_minor).
        "value": {"type": "string", "pattern": VALUE_PATTERN},
        # A red packet's random amount range (both or neither); the amount is then drawn from the digest.
        "amount_min": {"type": ["string", "null"], "pattern": VALUE_PATTERN},
        "amount_max": {"type": ["string", "null"], "pattern": VALUE_PATTERN},
        "currency": {"type": "string", "pattern": CURRENCY.pattern},
        "image": {"type": ["string", "null"], "maxLength": 255, "pattern": r"^/(?!/)[A-Za-z0-9/_.%~-]{1,254}$"},
        "coupon": {"type": "string", "enum": document_kinds()},
        "card_id": {"type": ["string", "null"], "maxLength": 64},
        "valid_from": {**_date, "type": ["string", "null"]},
        "valid_until": {**_date, "type": ["string", "null"]},
    },
}
SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "Campaign",
    "type": "object",
    "additionalProperties": False,
    "required": ["slug", "name", "account", "game", "starts_at", "ends_at", "prizes"],
    "properties": {
        "slug": {"type": "string", "pattern": SLUG.pattern},
        "name": {"type": "string", "minLength": 1, "maxLength": 120},
        "account": {"type": "string", "minLength": 1, "maxLength": 64},
        "game": {"type": "string", "enum": GAME_KEYS},  # the registry's own list (gamekinds)
        "timezone": {"type": "string", "maxLength": 64},
        "starts_at": _date,
        "ends_at": _date,
        "opens_at": {"type": ["string", "null"], "pattern": HHMM.pattern},
        "closes_at": {"type": ["string", "null"], "pattern": HHMM.pattern},
        "plays_per_day": _int_or_null,
        "plays_total": _int_or_null,
        "wins_total": _int_or_null,
        # Prizes worth more than this (yuan) are reviewed by staff before they are paid or shipped.
        "review_above": {"type": ["string", "null"], "pattern": VALUE_PATTERN},
        "follow_required": {"type": "boolean"},
        "look": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "title": {"type": "string", "maxLength": 120},
                "background": {"type": "string", "pattern": "^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$"},
                "accent": {"type": "string", "pattern": "^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$"},
                "background_image": {"type": "string", "pattern": r"^/(?!/)[A-Za-z0-9/_.%~-]+$"},
                # How many of the ledger's last wins the page's ticker shows (0 or absent: no ticker).
                "winners": {"type": "integer", "minimum": 0, "maximum": MAX_WINNERS_SHOWN},
            },
        },
        "channels": {
            "type": "array",
            "maxItems": MAX_CHANNELS,
            "items": {"type": "string", "minLength": 1, "maxLength": 64},
        },
        "prizes": {"type": "array", "minItems": 1, "maxItems": MAX_PRIZES, "items": PRIZE_SCHEMA},
    },
}


class Problems(dict):
    """Field path -> message, collected so every problem is reported at once."""

    def add(self, path: str, message: str) -> None:
        """Record the first problem of ``path``."""
        self.setdefault(path, message)


def _text(doc: dict, key: str, path: str, problems: Problems, *, required: bool, limit: int) -> str | None:
    value = doc.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            problems.add(path, msg("This is required."))
        return None
    if not isinstance(value, str):
        problems.add(path, msg("Enter text."))
        return None
    if len(value.strip()) > limit:
        problems.add(path, msg("Keep this under {limit} characters.", limit=limit))
        return None
    return value.strip()


def _integer(value: Any, path: str, problems: Problems, *, minimum: int, optional: bool = False) -> int | None:
    if value is None or value == "":
        if not optional:
            problems.add(path, msg("This is required."))
        return None
    if isinstance(value, str) and re.fullmatch(r"-?\d{1,10}", value.strip()):
        value = int(value.strip())
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # JSON's 3.0 is the whole number 3 (as JSON Schema's "integer" says)
    if isinstance(value, bool) or not isinstance(value, int):
        problems.add(path, msg("Enter a whole number."))
        return None
    if value < minimum or value > MAX_INT:
        problems.add(
            path,
            msg("Enter a whole number of at least {minimum}.", minimum=minimum)
            if value < minimum
            else msg("This number is too large."),
        )
        return None
    return value


def _instant(value: Any, path: str, problems: Problems, zone: ZoneInfo | None, *, optional: bool = False):
    if value is None or value == "":
        if not optional:
            problems.add(path, msg("Choose a date and time."))
        return None
    try:
        parsed = datetime.fromisoformat(value) if isinstance(value, str) else None
        if parsed is not None and parsed.tzinfo is None:
            # A time without an offset is read in the campaign's own time zone, as marketers think of it.
            parsed = parsed.replace(tzinfo=zone or UTC)
        # Year 1 ahead of UTC or year 9999 behind it has no UTC instant (OverflowError).
        parsed = parsed.astimezone(UTC) if parsed is not None else None
    except (ValueError, OverflowError):
        parsed = None
    if parsed is None:
        problems.add(path, msg("Enter a date and time like 2026-12-12T10:00."))
        return None
    return parsed


def _amount_range(raw: dict, path: str, problems: Problems) -> dict[str, int | None]:
    low, high = raw.get("amount_min"), raw.get("amount_max")
    if low in (None, "") and high in (None, ""):
        return {"amount_min_minor": None, "amount_max_minor": None}
    if low in (None, "") or high in (None, ""):
        problems.add(f"{path}.amount_max", msg("Give both ends of the amount range, or neither."))
        return {"amount_min_minor": None, "amount_max_minor": None}
    return {
        "amount_min_minor": _value_minor(low, f"{path}.amount_min", problems),
        "amount_max_minor": _value_minor(high, f"{path}.amount_max", problems),
    }


def _value_minor(value: Any, path: str, problems: Problems) -> int:
    if value is None or value == "":
        return 0
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation:
        amount = None
    if (
        amount is None
        or not amount.is_finite()
        or amount < 0
        or amount != amount.quantize(Decimal("0.01"))
        or amount > Decimal("10000000")
    ):
        problems.add(path, msg("Enter an amount like 32 or 32.50 (at most two decimals)."))
        return 0
    return int(amount * 100)


def _zone(value: Any, problems: Problems) -> ZoneInfo | None:
    name = value if isinstance(value, str) and value else "Asia/Shanghai"
    try:
        return ZoneInfo(name) if re.fullmatch(r"[A-Za-z_+-]+(?:/[A-Za-z0-9_+-]+){0,2}", name) else None
    except (ZoneInfoNotFoundError, ValueError):
        return None


def _prize(raw: Any, path: str, problems: Problems, zone: ZoneInfo | None) -> dict[str, Any]:
    if not isinstance(raw, dict):
        problems.add(path, msg("Each prize must be an object."))
        return {}
    for key in set(raw) - set(PRIZE_SCHEMA["properties"]):
        problems.add(f"{path}.{key}", msg("This field is not part of a prize."))
    tier = raw.get("tier")
    if not isinstance(tier, str) or not TIER.match(tier):
        problems.add(f"{path}.tier", msg("Use 1-32 lowercase letters, digits, '-' or '_'."))
        tier = None
    coupon = raw.get("coupon") or NO_CLAIM
    if coupon not in document_kinds():
        problems.add(f"{path}.coupon", msg("Choose one of: {choices}.", choices=", ".join(document_kinds())))
    currency = raw.get("currency") or "CNY"
    if not isinstance(currency, str) or not CURRENCY.match(currency):
        problems.add(f"{path}.currency", msg("Use a three-letter currency code such as CNY."))
    card_id = raw.get("card_id") or None
    if card_id is not None and (not isinstance(card_id, str) or len(card_id) > 64):
        problems.add(f"{path}.card_id", msg("Enter the WeChat card_id (at most 64 characters)."))
    image = raw.get("image") or None
    if image is not None and (not isinstance(image, str) or not re.fullmatch(r"/(?!/)[A-Za-z0-9/_.%~-]{1,254}", image)):
        problems.add(f"{path}.image", msg("Use an image uploaded to this site (a path starting with /)."))
    daily = _integer(raw.get("daily_limit"), f"{path}.daily_limit", problems, minimum=1, optional=True)
    return {
        "tier": tier,
        "name": _text(raw, "name", f"{path}.name", problems, required=True, limit=120),
        "weight": _integer(raw.get("weight"), f"{path}.weight", problems, minimum=1),
        "stock": _integer(raw.get("stock", 0), f"{path}.stock", problems, minimum=0),
        "release": {"per_day": daily} if daily else "all",
        "is_fallback": raw.get("fallback") is True,
        "value_minor": _value_minor(raw.get("value"), f"{path}.value", problems),
        **_amount_range(raw, path, problems),
        "currency": currency,
        "image": image,
        "coupon_kind": coupon,
        "card_id": card_id,
        "valid_from": _instant(raw.get("valid_from"), f"{path}.valid_from", problems, zone, optional=True),
        "valid_until": _instant(raw.get("valid_until"), f"{path}.valid_until", problems, zone, optional=True),
    }


def parse(doc: Any) -> tuple[dict[str, Any], Problems]:
    """Read a campaign document into model values; every problem is returned, keyed by field path."""
    problems = Problems()
    if not isinstance(doc, dict):
        problems.add("", msg("A campaign document is a JSON object."))
        return {}, problems
    for key in set(doc) - set(SCHEMA["properties"]):
        problems.add(key, msg("This field is not part of a campaign document."))
    zone = _zone(doc.get("timezone"), problems)
    if zone is None:
        problems.add("timezone", msg("Choose a time zone such as Asia/Shanghai."))
    slug = doc.get("slug")
    if not isinstance(slug, str) or not SLUG.match(slug):
        problems.add("slug", msg("Use lowercase letters, digits and dashes (it becomes the page address)."))
    if not isinstance(doc.get("game"), str) or doc["game"] not in known_games():
        problems.add("game", msg("Choose one of the games: {games}.", games=", ".join(known_games())))
    values: dict[str, Any] = {
        "slug": slug,
        "game": doc.get("game"),
        "timezone": str(zone) if zone else None,
        "name": _text(doc, "name", "name", problems, required=True, limit=120),
        "account": _text(doc, "account", "account", problems, required=True, limit=64),
        "starts_at": _instant(doc.get("starts_at"), "starts_at", problems, zone),
        "ends_at": _instant(doc.get("ends_at"), "ends_at", problems, zone),
        "follow_required": doc.get("follow_required") is True,
    }
    values.update(_opening_hours(doc, problems))
    for key in ("plays_per_day", "plays_total", "wins_total"):
        values[key] = _integer(doc.get(key), key, problems, minimum=1, optional=True)
    review = doc.get("review_above")
    values["review_above_minor"] = None if review in (None, "") else _value_minor(review, "review_above", problems)
    values["look"] = _look(doc.get("look"), problems)
    values["channels"] = _channels(doc.get("channels"), problems)
    prizes = doc.get("prizes")
    if not isinstance(prizes, list) or not prizes:
        problems.add("prizes", msg("Add at least one prize."))
        prizes = []
    elif len(prizes) > MAX_PRIZES:
        problems.add("prizes", msg("Use at most {count} prizes.", count=MAX_PRIZES))
        prizes = []
    values["prizes"] = [_prize(p, f"prizes[{i}]", problems, zone) for i, p in enumerate(prizes)]
    _check_game_fits(values["game"], prizes, problems)
    _check_prize_table(values["prizes"], problems)
    return values, problems


def _opening_hours(doc: dict[str, Any], problems: Problems) -> dict[str, str | None]:
    hours: dict[str, str | None] = {}
    for key in ("opens_at", "closes_at"):
        value = doc.get(key) or None
        if value is not None and (not isinstance(value, str) or not HHMM.match(value)):
            problems.add(key, msg("Enter a time like 09:30."))
        hours[key] = value
    if bool(hours["opens_at"]) != bool(hours["closes_at"]):
        problems.add("closes_at", msg("Give both the opening and the closing time, or neither."))
    return hours


def _look(raw: Any, problems: Problems) -> dict[str, Any]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        problems.add("look", msg("The look is an object of title, colours and background image."))
        return {}
    look = {}
    for key, rule in SCHEMA["properties"]["look"]["properties"].items():
        value = raw.get(key)
        if value in (None, ""):
            continue
        if rule["type"] == "integer":
            number = _integer(value, f"look.{key}", problems, minimum=rule["minimum"], optional=True)
            if number is not None and number > rule["maximum"]:
                problems.add(f"look.{key}", msg("Use at most {count}.", count=rule["maximum"]))
            elif number:
                look[key] = number
            continue
        pattern = rule.get("pattern")
        if (
            not isinstance(value, str)
            or len(value) > rule.get("maxLength", 255)
            or (pattern and not re.match(pattern, value))
        ):
            problems.add(
                f"look.{key}",
                msg("Enter a colour like #c4161c.")
                if key in ("background", "accent")
                else msg("This value is not valid here."),
            )
            continue
        look[key] = value
    for key in set(raw) - set(SCHEMA["properties"]["look"]["properties"]):
        problems.add(f"look.{key}", msg("This field is not part of the look."))
    return look


def _channels(raw: Any, problems: Problems) -> list[str]:
    if raw is None:
        return []
    if (
        not isinstance(raw, list)
        or len(raw) > MAX_CHANNELS
        or not all(isinstance(c, str) and 0 < len(c.strip()) <= 64 for c in raw)
    ):
        problems.add("channels", msg("List up to {count} channel names of at most 64 characters.", count=MAX_CHANNELS))
        return []
    names = [c.strip() for c in raw]
    if len(set(names)) != len(names):
        problems.add("channels", msg("Each channel needs its own name."))
    return names


def _check_game_fits(game: Any, prizes: list, problems: Problems) -> None:
    kind = known_games().get(game) if isinstance(game, str) else None
    if kind and kind.max_tiers and len(prizes) > kind.max_tiers:
        problems.add("prizes", msg("This game shows at most {count} prizes.", count=kind.max_tiers))


def _check_prize_table(prizes: list[dict[str, Any]], problems: Problems) -> None:
    seen: set[str] = set()
    for i, prize in enumerate(prizes):
        if prize.get("tier") is not None and prize.get("tier") in seen:
            problems.add(f"prizes[{i}].tier", msg("Two prizes cannot share a tier name."))
        seen.add(prize.get("tier"))
    if prizes and sum(1 for p in prizes if p.get("is_fallback")) != 1:
        problems.add(
            "prizes", msg("Mark exactly one prize as the fallback (what a player gets when nothing else is won).")
        )


def _iso(value: datetime | None) -> str | None:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z") if value else None


def _prize_document(tier) -> dict[str, Any]:
    daily = tier.release.get("per_day") if isinstance(tier.release, dict) else None
    return {
        "tier": tier.tier,
        "name": tier.name,
        "weight": tier.weight,
        "stock": tier.stock,
        "daily_limit": daily,
        "fallback": tier.is_fallback,
        "value": f"{Decimal(tier.value_minor or 0) / 100:.2f}",
        "currency": tier.currency,
        "image": tier.image,
        "coupon": tier.coupon_kind,
        "card_id": tier.card_id,
        "valid_from": _iso(tier.valid_from),
        "valid_until": _iso(tier.valid_until),
        **_range_document(tier),
    }


def _range_document(tier) -> dict[str, str]:
    if tier.amount_min_minor is None or tier.amount_max_minor is None:
        return {}
    return {
        "amount_min": f"{Decimal(tier.amount_min_minor) / 100:.2f}",
        "amount_max": f"{Decimal(tier.amount_max_minor) / 100:.2f}",
    }


def to_document(campaign: Campaign) -> dict[str, Any]:
    """The campaign as a document that :func:`parse` reads back to the same values."""
    return {
        "slug": campaign.slug,
        "name": campaign.name,
        "account": campaign.account.slug,
        "game": campaign.game,
        "timezone": campaign.timezone,
        "starts_at": _iso(campaign.starts_at),
        "ends_at": _iso(campaign.ends_at),
        "opens_at": campaign.opens_at,
        "closes_at": campaign.closes_at,
        "plays_per_day": campaign.plays_per_day,
        "plays_total": campaign.plays_total,
        "wins_total": campaign.wins_total,
        **(
            {}
            if campaign.review_above_minor is None
            else {"review_above": f"{Decimal(campaign.review_above_minor) / 100:.2f}"}
        ),
        "follow_required": bool(campaign.follow_required),
        "look": {k: v for k, v in (campaign.look or {}).items() if k in SCHEMA["properties"]["look"]["properties"]},
        "channels": [channel.name for channel in campaign.channels],
        "prizes": [_prize_document(tier) for tier in campaign.tiers],
    }
