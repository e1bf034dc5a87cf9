"""The OpenAPI document of ``/api/v1``, built from the same schemas the code uses (kept true by tests)."""

from __future__ import annotations

from copy import deepcopy

from flask import jsonify

from campaigns.analytics.by_channel import CHANNEL_FIELDS
from campaigns.analytics.stats import METRICS, RETENTION
from campaigns.catalog.document import MAX_INT, SCHEMA, TIER
from campaigns.catalog.gamekinds import KEYS as GAME_KEYS
from campaigns.catalog.gamekinds import known as known_games
from campaigns.wechat import menu, replies
from web.console.lifecycle import MAX_PLAYS

from . import bp

NULLABLE_TEXT = {"type": ["string", "null"]}
ERROR = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {
                "code": {"type": "string"},
                "message": {"type": "string"},
                "fields": {"type": "object", "additionalProperties": {"type": "string"}},
            },
        }
    },
}
SUMMARY = {
    "type": "object",
    "additionalProperties": False,
    "required": ["slug", "name", "account", "game", "status", "archived", "server_seed_hash", "url"],
    "properties": {
        "slug": {"type": "string"},
        "name": {"type": "string"},
        "account": {"type": "string"},
        "game": {"type": "string", "enum": GAME_KEYS},  # the game registry's list
        "status": {"type": "string", "enum": ["draft", "scheduled", "live", "paused", "ended"]},
        "archived": {"type": "boolean"},
        "server_seed_hash": NULLABLE_TEXT,
        "url": {"type": "string"},
    },
}
COUNT = {"type": "integer", "minimum": 0}
CHANNELS = {
    "type": "object",
    "additionalProperties": False,
    "required": ["campaign", "channels"],
    "properties": {
        "campaign": {"type": "string"},
        "channels": {
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["channel", "scene", *CHANNEL_FIELDS],
                "properties": {
                    "channel": {"type": "string"},
                    "scene": NULLABLE_TEXT,
                    **{name: COUNT for name in CHANNEL_FIELDS},
                    "net_follower_gain": {"type": "integer"},
                },
            },
        },
    },
}
DETAIL = {**deepcopy(SUMMARY), "required": SUMMARY["required"] + ["document"]}
DETAIL["properties"] = {**SUMMARY["properties"], "document": {"$ref": "#/components/schemas/CampaignDocument"}}
REPORT = {
    "type": "object",
    "required": ["tier", "lines", "valid", "imported", "error_count", "errors"],
    "properties": {
        "tier": {"type": "string"},
        "lines": {"type": "integer"},
        "valid": {"type": "integer"},
        "imported": {"type": "integer"},
        "error_count": {"type": "integer"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["line", "message"],
                "properties": {"line": {"type": "integer"}, "message": {"type": "string"}},
            },
        },
    },
}
PREVIEW = {
    "type": "object",
    "required": ["days", "plays_total", "tiers"],
    "properties": {
        "days": {"type": "integer"},
        "plays_total": {"type": "number"},
        "tiers": {
            "type": "array",
            "items": {
                "type": "object",
                "required": [
                    "tier",
                    "probability",
                    "expected_first_day",
                    "expected_total",
                    "runs_out_on",
                    "stock",
                    "is_fallback",
                ],
                "properties": {
                    "tier": {"type": "string"},
                    "probability": {"type": "number", "minimum": 0, "maximum": 1},
                    "expected_first_day": {"type": "number"},
                    "expected_total": {"type": "number"},
                    "runs_out_on": {"type": ["string", "null"], "format": "date"},
                    "stock": {"type": "integer"},
                    "is_fallback": {"type": "boolean"},
                },
            },
        },
    },
}
AUDIT = {
    "type": "object",
    "required": ["entries"],
    "properties": {
        "entries": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["id", "at", "staff", "action", "campaign_id", "account_id", "before", "after"],
                "properties": {
                    "id": {"type": "integer"},
                    "at": {"type": "string", "format": "date-time"},
                    "staff": {"type": "string"},
                    "action": {"type": "string"},
                    "campaign_id": {"type": ["integer", "null"]},
                    "account_id": {"type": ["integer", "null"]},
                    "before": {},
                    "after": {},
                },
            },
        }
    },
}


STATS = {
    "type": "object",
    "required": ["campaign", "timezone", "computed_at", "days", "totals", "shape"],
    "properties": {
        "campaign": {"type": "string"},
        "timezone": {"type": "string"},
        "computed_at": {"type": ["string", "null"], "format": "date-time"},
        "days": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["day", *METRICS, "prizes"],
                "properties": {
                    "day": {"type": "string", "format": "date"},
                    **{name: {"type": "number"} for name in METRICS},
                    "prizes": {"type": "object", "additionalProperties": {"type": "integer"}},
                    **{name: {"type": ["number", "null"]} for name in RETENTION},
                },
            },
        },
        "totals": {"type": "object", "additionalProperties": {"type": ["number", "null"]}},
        "shape": {"type": "object"},
    },
}
# What the server checks beyond what JSON Schema can say (each is a 400 naming the field).
DOCUMENT_RULES = (
    "Beyond this schema the server checks, each refused with 400 invalid_input naming the field: "
    "ends_at is after starts_at; every prize has its own tier; timezone names an IANA time zone; "
    "account names an Official Account the token's owner works on (else 403). "
    "A slug another campaign uses is 409 slug_taken. A date-time without an offset is read in the "
    "campaign's timezone. A prize's amount_min and amount_max (a red packet's random range) are both "
    "given or neither. Every date-time has a UTC equivalent between the years 1 and 9999."
)


def document_rules() -> str:
    """:data:`DOCUMENT_RULES` and each game's limit on prizes, read from the game registry."""
    limited = [kind for kind in known_games().values() if kind.max_tiers]
    return DOCUMENT_RULES + "".join(f" A {kind.key} campaign has at most {kind.max_tiers} prizes." for kind in limited)


def _json(schema_ref: str) -> dict:
    return {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema_ref}"}}}


def _export(summary: str, mimetype: str, description: str) -> dict:
    """A download of the statistics or the events (not JSON: CSV or JSON lines)."""
    operation = _operation(summary, 200, "Stats", params=(SLUG,))
    operation["responses"]["200"] = {
        "description": description,
        "content": {mimetype: {"schema": {"type": "string"}}},
        "headers": {"Content-Disposition": {"schema": {"type": "string"}}},
    }
    return operation


def campaign_document_schema() -> dict:
    """The campaign document's schema with the rules JSON Schema can state added (exactly one fallback prize)."""
    schema = {k: v for k, v in deepcopy(SCHEMA).items() if k != "$schema"}
    schema["description"] = document_rules()
    schema["properties"]["prizes"].update(
        contains={"type": "object", "required": ["fallback"], "properties": {"fallback": {"const": True}}},
        minContains=1,
        maxContains=1,
    )
    # Text is read trimmed, so a name must carry something besides spaces; no text may hold a NUL (web/inputs.py).
    prize = schema["properties"]["prizes"]["items"]["properties"]
    for field in (schema["properties"]["name"], schema["properties"]["account"], prize["name"]):
        field["pattern"] = SOME_TEXT
    prize["card_id"]["pattern"] = NO_NUL
    schema["properties"]["look"]["properties"]["title"]["pattern"] = NO_NUL
    schema["properties"]["timezone"]["pattern"] = r"^[A-Za-z_+-]+(?:/[A-Za-z0-9_+-]+){0,2}$"
    schema["properties"]["channels"]["uniqueItems"] = True
    schema["properties"]["channels"]["items"]["pattern"] = SOME_TEXT
    # Both opening hours or neither.
    schema["allOf"] = [_both_or_neither("opens_at", "closes_at"), _both_or_neither("closes_at", "opens_at")]
    return schema


def _both_or_neither(one: str, other: str) -> dict:
    given = {"required": [one], "properties": {one: {"type": "string"}}}
    return {"if": given, "then": {"required": [other], "properties": {other: {"type": "string"}}}}


def _responses(ok: int, ok_schema: str, *errors: int) -> dict:
    responses = {str(ok): {"description": "Success", "content": _json(ok_schema)}}
    for status in (400, 401, 403, 404, 409, 503) if not errors else errors:
        responses[str(status)] = {"description": "The usual error shape", "content": _json("Error")}
    return responses


def strict(schema: dict) -> dict:
    """``schema`` with no unknown keys in any object and something besides spaces, but no NUL, in every text."""
    schema = deepcopy(schema)

    def walk(node):
        if isinstance(node, dict):
            if node.get("type") == "object" and "properties" in node:
                node.setdefault("additionalProperties", False)
            if node.get("type") == "string" and "pattern" not in node:
                node["pattern"] = SOME_TEXT
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(schema)
    return schema


# Text without a NUL character (refused in every request), and such text with something besides spaces.
NO_NUL = r"^[^\u0000]*$"
SOME_TEXT = r"^[^\u0000]*[^\s\u0000][^\u0000]*$"
SLUG = {"name": "slug", "in": "path", "required": True, "schema": {"type": "string", "pattern": NO_NUL}}


def _operation(summary: str, ok: int, ok_schema: str, body: str | None = None, params=(SLUG,), **extra) -> dict:
    operation = {"summary": summary, "parameters": list(params), "responses": _responses(ok, ok_schema)}
    if body:
        operation["requestBody"] = {"required": True, "content": _json(body)}
    operation.update(extra)
    return operation


def paths() -> dict:
    """Every route of the API with its request and response schemas."""
    action = {
        "name": "action",
        "in": "path",
        "required": True,
        "schema": {"type": "string", "enum": ["pause", "resume", "end"]},
    }
    tier = {
        "name": "tier",
        "in": "path",
        "required": True,
        "description": "One of the campaign's prize tiers (404 for another).",
        "schema": {"type": "string", "pattern": TIER.pattern},
    }
    skip = {
        "name": "skip_errors",
        "in": "query",
        "required": False,
        "schema": {"type": "string", "enum": ["true", "false"]},
    }
    archived = {
        "name": "archived",
        "in": "query",
        "required": False,
        "schema": {"type": "string", "enum": ["true", "false"]},
    }
    campaign = {
        "name": "campaign",
        "in": "query",
        "required": False,
        "description": "A campaign's slug (404 when the token's owner has none such).",
        "schema": {"type": "string", "pattern": NO_NUL},
    }
    codes = {
        **_operation("Import coupon codes (CSV body)", 200, "ImportReport", params=(SLUG, tier, skip)),
        "requestBody": {"required": True, "content": {"text/csv": {"schema": {"type": "string"}}}},
    }
    # A file with bad lines is not a malformed request: the answer is the line-numbered report, with 422.
    codes["responses"]["422"] = {"description": "Refused lines; nothing imported", "content": _json("ImportReport")}
    return {
        "/campaigns": {
            "get": _operation("List campaigns", 200, "CampaignList", params=(archived,)),
            "post": _operation(
                "Create a draft from a campaign document", 201, "CampaignDetail", "CampaignDocument", params=()
            ),
        },
        "/campaigns/{slug}": {
            "get": _operation("One campaign with its document", 200, "CampaignDetail"),
            "put": _operation("Replace a draft's configuration", 200, "CampaignDetail", "CampaignDocument"),
        },
        "/campaigns/{slug}/problems": {"get": _operation("What stops publishing, by field", 200, "Problems")},
        "/campaigns/{slug}/publish": {"post": _operation("Publish (commit to the rules)", 200, "CampaignDetail")},
        "/campaigns/{slug}/{action}": {
            "post": _operation("Pause, resume or end early", 200, "CampaignDetail", params=(SLUG, action))
        },
        "/campaigns/{slug}/top-up": {"post": _operation("Raise prize stock totals", 200, "CampaignDetail", "TopUp")},
        "/campaigns/{slug}/duplicate": {"post": _operation("Copy into a new draft", 201, "CampaignDetail", "NewSlug")},
        "/campaigns/{slug}/archive": {"post": _operation("Archive a draft or ended campaign", 200, "CampaignDetail")},
        "/campaigns/{slug}/codes/{tier}": {"post": codes},
        "/campaigns/{slug}/preview": {
            "post": _operation("Preview the odds for a traffic estimate", 200, "Preview", "Traffic")
        },
        "/campaigns/{slug}/channels": {
            "get": _operation("Results by placement: one entry per channel, summing to the totals", 200, "Channels")
        },
        "/campaigns/{slug}/channels.csv": {
            "get": _export("Results by placement as CSV", "text/csv", "One line per channel, a header first")
        },
        "/campaigns/{slug}/stats": {"get": _operation("The daily statistics", 200, "Stats")},
        "/campaigns/{slug}/stats.csv": {
            "get": _export("The daily statistics as CSV", "text/csv", "One line per day, a header first")
        },
        "/campaigns/{slug}/events.jsonl": {
            "get": _export(
                "Every ingested event as JSON lines", "application/x-ndjson", "Openids replaced by pseudonyms"
            )
        },
        "/campaigns/{slug}/events.csv": {
            "get": _export("Every ingested event as CSV", "text/csv", "Openids replaced by pseudonyms")
        },
        "/audit": {"get": _operation("Configuration changes", 200, "AuditLog", params=(campaign,))},
        "/accounts/{slug}/replies": {
            "get": _operation("The account's welcome, default, keyword and menu-click replies", 200, "Replies"),
            "put": _operation("Replace the account's replies", 200, "Replies", "Replies"),
        },
        "/accounts/{slug}/menu": {
            "get": _operation("The account's saved custom menu (WeChat's menu JSON)", 200, "Menu"),
            "put": _operation("Replace the saved menu (checked within WeChat's limits)", 200, "Menu", "Menu"),
        },
        "/accounts/{slug}/menu/publish": {
            "post": _operation("Publish the saved menu to WeChat (menu/create)", 200, "PublishedMenu")
        },
        "/accounts/{slug}/menu/import": {"post": _operation("Import WeChat's current menu (menu/get)", 200, "Menu")},
        "/campaigns/{slug}/notices": {
            "get": _operation("The campaign's service notices (off by default)", 200, "Notices"),
            "put": _operation("Turn service notices on or off, with their template ids", 200, "Notices", "Notices"),
        },
    }


def document() -> dict:
    """The OpenAPI 3.1 document."""
    campaign_schema = campaign_document_schema()
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Campaigns API",
            "version": "1",
            "description": "Create, publish and run campaigns. Authenticate with Authorization: Bearer <token> "
            '(made in the console under API tokens). Errors are {"error": {"code", "message"}}.',
        },
        "servers": [{"url": "/api/v1"}],
        "security": [{"bearer": []}],
        "paths": paths(),
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {
                "CampaignDocument": campaign_schema,
                "CampaignSummary": SUMMARY,
                "CampaignDetail": DETAIL,
                "CampaignList": {
                    "type": "object",
                    "required": ["campaigns"],
                    "properties": {
                        "campaigns": {"type": "array", "items": {"$ref": "#/components/schemas/CampaignSummary"}}
                    },
                },
                "Problems": {
                    "type": "object",
                    "required": ["problems"],
                    "properties": {"problems": {"type": "object", "additionalProperties": {"type": "string"}}},
                },
                "TopUp": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["stock"],
                    "description": "New totals by prize tier of a published campaign. Each tier must be one of "
                    "the campaign's prizes other than the fallback, and each total at least its current "
                    "stock; a winning-moments tier cannot be topped up; else 400 naming stock.<tier>.",
                    "properties": {
                        "stock": {
                            "type": "object",
                            "minProperties": 1,
                            "propertyNames": {"pattern": TIER.pattern},
                            "additionalProperties": {"type": "integer", "minimum": 0, "maximum": MAX_INT},
                        }
                    },
                },
                "NewSlug": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["slug"],
                    "description": "409 slug_taken when another campaign uses the slug.",
                    "properties": {"slug": {"type": "string", "pattern": SCHEMA["properties"]["slug"]["pattern"]}},
                },
                "Traffic": {
                    "type": "object",
                    "additionalProperties": False,
                    "description": "Absent values default to 1,000 weekday and 1,500 weekend plays.",
                    "properties": {
                        "weekday_plays": {"type": "number", "minimum": 0, "maximum": MAX_PLAYS},
                        "weekend_plays": {"type": "number", "minimum": 0, "maximum": MAX_PLAYS},
                    },
                },
                "Channels": CHANNELS,
                "Stats": STATS,
                "ImportReport": REPORT,
                "Preview": PREVIEW,
                "AuditLog": AUDIT,
                "Replies": strict(replies.SCHEMA),
                "Menu": strict(menu.SCHEMA),
                "Notices": strict(
                    {
                        "type": "object",
                        "properties": {
                            "enabled": {"type": "boolean"},
                            "winner_template_id": {"type": "string", "maxLength": 64, "pattern": NO_NUL},
                            "expiry_template_id": {"type": "string", "maxLength": 64, "pattern": NO_NUL},
                            "reminder_days": {"type": "integer", "minimum": 1, "maximum": 30},
                        },
                        # Turning notices on needs both template ids.
                        "if": {"properties": {"enabled": {"const": True}}, "required": ["enabled"]},
                        "then": {
                            "required": ["winner_template_id", "expiry_template_id"],
                            "properties": {
                                "winner_template_id": {"pattern": SOME_TEXT},
                                "expiry_template_id": {"pattern": SOME_TEXT},
                            },
                        },
                    }
                ),
                "PublishedMenu": {
                    "type": "object",
                    "required": ["menu", "published_at"],
                    "properties": {
                        "menu": {"$ref": "#/components/schemas/Menu"},
                        "published_at": {"type": ["string", "null"]},
                    },
                },
                "Error": ERROR,
            },
        },
    }


@bp.get("/openapi.json")
def openapi():
    """The API's OpenAPI document."""
    return jsonify(document())
