"""The campaign editor's form, read into a campaign document (the one format, see catalog.document)."""

from __future__ import annotations

from typing import Any

from werkzeug.datastructures import MultiDict

from campaigns.catalog.models import Campaign

PRIZE_KEYS = (
    "tier",
    "name",
    "weight",
    "stock",
    "daily_limit",
    "value",
    "currency",
    "image",
    "coupon",
    "card_id",
    "valid_from",
    "valid_until",
)
LIMIT_KEYS = ("plays_per_day", "plays_total", "wins_total")
# Empty rows offered below the prize table for new prizes.
SPARE_ROWS = 2
MAX_ROWS = 20


def _blank(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


def _prizes(form: MultiDict) -> list[dict[str, Any]]:
    prizes = []
    fallback = form.get("fallback")
    for index in range(MAX_ROWS):
        row = {key: _blank(form.get(f"prize-{index}-{key}")) for key in PRIZE_KEYS}
        if not any(row[key] for key in ("tier", "name", "weight")):
            continue
        row = {key: value for key, value in row.items() if value is not None}
        row["fallback"] = fallback == str(index)
        prizes.append(row)
    return prizes


def document_from_form(form: MultiDict) -> dict[str, Any]:
    """A campaign document from the editor's fields; values stay text and the document reader checks them."""
    doc: dict[str, Any] = {
        key: _blank(form.get(key))
        for key in ("slug", "name", "account", "game", "timezone", "starts_at", "ends_at", "opens_at", "closes_at")
    }
    for key in LIMIT_KEYS:
        doc[key] = _blank(form.get(key))
    doc["follow_required"] = form.get("follow_required") == "y"
    doc["look"] = {
        key: value
        for key in ("title", "background", "accent", "background_image", "winners")
        if (value := _blank(form.get(f"look-{key}"))) is not None
    }
    doc["channels"] = [line.strip() for line in (form.get("channels") or "").splitlines() if line.strip()]
    doc["prizes"] = _prizes(form)
    return doc


def local_input(value: str | None, campaign_tz: str) -> str:
    """An ISO instant as a ``datetime-local`` value in the campaign's time zone."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    if not value:
        return ""
    try:
        return datetime.fromisoformat(value).astimezone(ZoneInfo(campaign_tz)).strftime("%Y-%m-%dT%H:%M")
    except (ValueError, KeyError):
        return value


def form_values(doc: dict[str, Any]) -> dict[str, Any]:
    """Editor field values from a document (a saved campaign's, or what was just typed)."""
    zone = doc.get("timezone") or "Asia/Shanghai"
    rows = [dict(p) for p in doc.get("prizes") or []]
    for row in rows:
        for key in ("valid_from", "valid_until"):
            row[key] = local_input(row.get(key), zone)
    rows += [{} for _ in range(SPARE_ROWS)]
    return {
        **doc,
        "starts_at": local_input(doc.get("starts_at"), zone),
        "ends_at": local_input(doc.get("ends_at"), zone),
        "prizes": rows[:MAX_ROWS],
        "channels_text": "\n".join(doc.get("channels") or []),
    }


def blank_document(account_slug: str | None) -> dict[str, Any]:
    """A new campaign's starting point: a fallback prize and nothing else."""
    return {
        "account": account_slug,
        "game": "wheel",
        "timezone": "Asia/Shanghai",
        "look": {},
        "prizes": [{"tier": "none", "name": "谢谢参与", "weight": 50, "stock": 0, "fallback": True}],
    }


def campaign_label(campaign: Campaign) -> str:
    """``name (slug)`` for headings and audit lines."""
    return f"{campaign.name} ({campaign.slug})"
