"""Campaign routes of the API: documents in and out, the state actions, codes, preview, audit."""

from __future__ import annotations

from flask import jsonify, request, url_for

from campaigns.catalog import document, editing
from campaigns.catalog.models import Campaign
from campaigns.errors import InvalidInput, NotFound
from campaigns.staff import audit, lifecycle
from campaigns.staff.code_import import import_codes
from campaigns.staff.services import account_ids
from campaigns.wechat import cards
from extensions import db
from web.console.lifecycle import preview_of
from web.services import context, services
from web.staff_auth import StaffLoginRequired, bearer_token, current_staff, staff_required

from . import bp

EDITORS = ("marketer",)


@bp.before_request
def tokens_only():
    """Refuse anything but a bearer token (the OpenAPI document is public)."""
    if request.endpoint == "api.openapi":
        return None
    if bearer_token() is None:
        raise StaffLoginRequired("Send an API token: Authorization: Bearer <token>.")
    if current_staff() is None:
        raise StaffLoginRequired("This API token is unknown or revoked.")
    return None


def summary(campaign: Campaign) -> dict:
    """A campaign's identity and state, as listed."""
    return {
        "slug": campaign.slug,
        "name": campaign.name,
        "account": campaign.account.slug,
        "game": campaign.game,
        "status": campaign.status,
        "archived": bool(campaign.archived),
        "server_seed_hash": campaign.server_seed_hash,
        "url": url_for("api.get_campaign", slug=campaign.slug),
    }


def detail(campaign: Campaign) -> dict:
    """A campaign's summary with its whole document."""
    return {**summary(campaign), "document": document.to_document(campaign)}


def _json_body() -> object:
    body = request.get_json(silent=True)
    if body is None:
        raise InvalidInput("Send a JSON body with Content-Type: application/json.", fields={"body": "Not JSON."})
    return body


def _flag(name: str) -> bool:
    """A true/false query parameter (absent is false); any other value is refused, as the document says."""
    value = request.args.get(name)
    if value not in (None, "true", "false"):
        raise InvalidInput(f"{name} must be true or false.", fields={name: "Use true or false."})
    return value == "true"


def _campaign(slug: str) -> Campaign:
    return editing.campaign_for(db.session, current_staff(), slug)


@bp.get("/campaigns")
@staff_required()
def list_campaigns():
    """Every campaign the token's owner works on."""
    archived = _flag("archived")
    return jsonify(
        campaigns=[summary(c) for c in editing.visible_campaigns(db.session, current_staff(), archived=archived)]
    )


@bp.post("/campaigns")
@staff_required(*EDITORS)
def create_campaign():
    """Create a draft from a campaign document."""
    campaign = editing.save(db.session, current_staff(), _json_body(), services().clock.now())
    db.session.commit()
    return jsonify(detail(campaign)), 201


@bp.get("/campaigns/<slug>")
@staff_required()
def get_campaign(slug: str):
    """One campaign with its document."""
    return jsonify(detail(_campaign(slug)))


@bp.put("/campaigns/<slug>")
@staff_required(*EDITORS)
def update_campaign(slug: str):
    """Replace a draft's configuration with a document."""
    campaign = editing.save(db.session, current_staff(), _json_body(), services().clock.now(), _campaign(slug))
    db.session.commit()
    return jsonify(detail(campaign))


@bp.get("/campaigns/<slug>/problems")
@staff_required()
def problems(slug: str):
    """What stops a draft from being published, by field."""
    svc = services()
    return jsonify(problems=lifecycle.publish_problems(db.session, _campaign(slug), svc.clock, cards.checker(svc)))


@bp.post("/campaigns/<slug>/publish")
@staff_required(*EDITORS)
def publish(slug: str):
    """Check everything, commit to the rules and open the campaign."""
    svc = services()
    campaign = _campaign(slug)
    lifecycle.publish(
        db.session, svc.redis, current_staff(), campaign, svc.clock, svc.secrets, check_cards=cards.checker(svc)
    )
    db.session.commit()
    return jsonify(detail(campaign))


@bp.post("/campaigns/<slug>/<any(pause, resume, end):action>")
@staff_required(*EDITORS)
def change_state(slug: str, action: str):
    """Pause, resume, or end early (which reveals the server seed)."""
    svc = services()
    campaign = _campaign(slug)
    lifecycle.change_state(db.session, svc.redis, current_staff(), campaign, action, svc.clock)
    db.session.commit()
    return jsonify(detail(campaign))


@bp.post("/campaigns/<slug>/top-up")
@staff_required(*EDITORS)
def top_up(slug: str):
    """Raise the total stock of prizes: ``{"stock": {"gold": 30}}``."""
    svc = services()
    campaign = _campaign(slug)
    body = _json_body()
    stock = body.get("stock") if isinstance(body, dict) else None
    if isinstance(stock, dict):
        # JSON's 30.0 is the whole number 30, as the document's "integer" says.
        stock = {k: int(v) if isinstance(v, float) and v.is_integer() else v for k, v in stock.items()}
    lifecycle.top_up(db.session, svc.redis, current_staff(), campaign, stock, svc.clock, svc.secrets)
    db.session.commit()
    return jsonify(detail(campaign))


@bp.post("/campaigns/<slug>/duplicate")
@staff_required(*EDITORS)
def duplicate(slug: str):
    """Copy a campaign's configuration into a new draft at ``{"slug": ...}``."""
    body = _json_body()
    new_slug = body.get("slug") if isinstance(body, dict) else None
    copy = editing.duplicate(db.session, current_staff(), _campaign(slug), new_slug, services().clock.now())
    db.session.commit()
    return jsonify(detail(copy)), 201


@bp.post("/campaigns/<slug>/archive")
@staff_required(*EDITORS)
def archive(slug: str):
    """Hide a draft or an ended campaign."""
    campaign = editing.archive(db.session, current_staff(), _campaign(slug), services().clock.now())
    db.session.commit()
    return jsonify(detail(campaign))


@bp.post("/campaigns/<slug>/codes/<tier>")
@staff_required(*EDITORS)
def upload_codes(slug: str, tier: str):
    """Import a CSV body of codes for a prize; ``?skip_errors=true`` imports the good lines of a bad file."""
    skip_errors = _flag("skip_errors")
    campaign = _campaign(slug)
    found = next((t for t in campaign.tiers if t.tier == tier), None)
    if found is None:
        raise NotFound("This campaign has no such prize.", fields={"tier": "Unknown prize."})
    report = import_codes(
        context(),
        current_staff(),
        found,
        request.get_data(cache=False),
        skip_errors=skip_errors,
        now=services().clock.now(),
    )
    if not report.imported:
        db.session.rollback()
    return jsonify({"tier": tier, **report.as_dict()}), 200 if report.imported or not report.errors else 422


@bp.post("/campaigns/<slug>/preview")
@staff_required()
def preview(slug: str):
    """Probabilities, expected winners and run-out days for ``{"weekday_plays", "weekend_plays"}``."""
    from web.console.lifecycle import traffic

    body = _json_body()
    if not isinstance(body, dict):
        raise InvalidInput("Send an object with weekday_plays and weekend_plays.", fields={"body": "Not an object."})
    weekday, weekend = traffic(body)
    return jsonify(preview_of(document.to_document(_campaign(slug)), weekday, weekend))


@bp.get("/audit")
@staff_required("admin", *EDITORS)
def audit_log():
    """The newest configuration changes on the token owner's accounts."""
    slug = request.args.get("campaign")
    campaign_id = _campaign(slug).id if slug else None
    entries = audit.entries(db.session, account_ids=account_ids(db.session, current_staff()), campaign_id=campaign_id)
    return jsonify(entries=[audit.as_dict(e) for e in entries])
