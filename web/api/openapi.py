"""The OpenAPI document of ``/api/v1``, built from the same schemas the code uses (kept true by tests)."""

from __future__ import annotations

from copy import deepcopy

from flask import jsonify

from campaigns.analytics.by_channel import CHANNEL_FIELDS
from campaigns.catalog.document import SCHEMA
from campaigns.catalog.gamekinds import KEYS as GAME_KEYS
from campaigns.wechat import menu, replies

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


def _json(schema_ref: str) -> dict:
    return {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema_ref}"}}}


def _responses(ok: int, ok_schema: str, *errors: int) -> dict:
    responses = {str(ok): {"description": "Success", "content": _json(ok_schema)}}
    for status in (400, 401, 403, 404, 409, 503) if not errors else errors:
        responses[str(status)] = {"description": "The usual error shape", "content": _json("Error")}
    return responses


SLUG = {"name": "slug", "in": "path", "required": True, "schema": {"type": "string"}}


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
    tier = {"name": "tier", "in": "path", "required": True, "schema": {"type": "string"}}
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
    campaign = {"name": "campaign", "in": "query", "required": False, "schema": {"type": "string"}}
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
    campaign_schema = {k: v for k, v in deepcopy(SCHEMA).items() if k != "$schema"}
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
                    "required": ["stock"],
                    "properties": {
                        "stock": {"type": "object", "additionalProperties": {"type": "integer", "minimum": 0}}
                    },
                },
                "NewSlug": {"type": "object", "required": ["slug"], "properties": {"slug": {"type": "string"}}},
                "Traffic": {
                    "type": "object",
                    "properties": {
                        "weekday_plays": {"type": "number", "minimum": 0},
                        "weekend_plays": {"type": "number", "minimum": 0},
                    },
                },
                "Channels": CHANNELS,
                "ImportReport": REPORT,
                "Preview": PREVIEW,
                "AuditLog": AUDIT,
                "Replies": deepcopy(replies.SCHEMA),
                "Menu": deepcopy(menu.SCHEMA),
                "Notices": {
                    "type": "object",
                    "properties": {
                        "enabled": {"type": "boolean"},
                        "winner_template_id": {"type": "string", "maxLength": 64},
                        "expiry_template_id": {"type": "string", "maxLength": 64},
                        "reminder_days": {"type": "integer", "minimum": 1, "maximum": 30},
                    },
                },
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
