"""Publishing and the live-campaign actions, and the preview of what the odds will do."""

from __future__ import annotations

from datetime import date

from flask import flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _

from campaigns.catalog import document, editing, validation
from campaigns.catalog.preview import TierInput, days_between, preview
from campaigns.errors import InvalidInput
from campaigns.staff import lifecycle
from campaigns.wechat import cards
from extensions import db
from web.staff_auth import staff_required

from ..services import services
from . import bp
from .campaigns import campaign_page
from .common import EDITORS, me
from .editor import document_from_form
from .i18n import status_label


@bp.post("/campaigns/<slug>/publish")
@staff_required(*EDITORS)
def publish(slug: str):
    """Check everything, then commit to the rules and open the campaign."""
    campaign = editing.campaign_for(db.session, me(), slug)
    svc = services()
    try:
        lifecycle.publish(db.session, svc.redis, me(), campaign, svc.clock, svc.secrets, check_cards=cards.checker(svc))
    except InvalidInput as exc:
        db.session.rollback()
        return campaign_page(editing.campaign_for(db.session, me(), slug), problems=exc.fields, error=exc.message), 400
    db.session.commit()
    flash(_("Published: the campaign is %(status)s.", status=status_label(campaign.status)))
    return redirect(url_for("console.campaign", slug=slug))


@bp.post("/campaigns/<slug>/<any(pause, resume, end):action>")
@staff_required(*EDITORS)
def change_state(slug: str, action: str):
    """Pause, resume, or end early (which reveals the server seed)."""
    campaign = editing.campaign_for(db.session, me(), slug)
    svc = services()
    lifecycle.change_state(db.session, svc.redis, me(), campaign, action, svc.clock)
    db.session.commit()
    flash(_("Done: the campaign is %(status)s.", status=status_label(campaign.status)))
    return redirect(url_for("console.campaign", slug=slug))


@bp.post("/campaigns/<slug>/top-up")
@staff_required(*EDITORS)
def top_up(slug: str):
    """Raise the stock of some prizes (a new rules version, announced on the fairness page)."""
    campaign = editing.campaign_for(db.session, me(), slug)
    raw = {}
    for tier in campaign.tiers:
        value = (request.form.get(f"stock-{tier.tier}") or "").strip()
        if value:
            raw[tier.tier] = int(value) if value.isdigit() and len(value) < 11 else value
    svc = services()
    lifecycle.top_up(db.session, svc.redis, me(), campaign, raw, svc.clock, svc.secrets)
    db.session.commit()
    flash(_("Stock topped up; the new rules version is announced on the fairness page."))
    return redirect(url_for("console.campaign", slug=slug))


# The largest plays-per-day estimate the preview takes.
MAX_PLAYS = 100_000_000


def traffic(source) -> tuple[float, float]:
    """The weekday and weekend plays estimate from a form or a JSON object, checked."""
    values = []
    for key, default in (("weekday_plays", 1000), ("weekend_plays", 1500)):
        raw = source.get(key, default)
        try:
            value = float(raw)
        except (TypeError, ValueError):
            raise InvalidInput("Enter the expected plays per day.", fields={key: "Enter a number."}) from None
        if not 0 <= value <= MAX_PLAYS:
            raise InvalidInput(
                "Enter the expected plays per day.", fields={key: "Enter a number from 0 to 100,000,000."}
            )
        values.append(value)
    return values[0], values[1]


def preview_of(doc: dict, weekday: float, weekend: float) -> dict:
    """The preview numbers of a campaign document as it stands (problems in it are tolerated)."""
    values, _ = document.parse(doc)
    tiers = [
        TierInput(
            tier=p.get("tier") or "?",
            weight=p.get("weight") or 0,
            stock=p.get("stock") or 0,
            daily_limit=(p.get("release") or {}).get("per_day") if isinstance(p.get("release"), dict) else None,
            is_fallback=bool(p.get("is_fallback")),
        )
        for p in values.get("prizes", [])
    ]
    zone = values.get("timezone") or "Asia/Shanghai"
    start, end = values.get("starts_at"), values.get("ends_at")
    days = days_between(_local(start, zone), _local(end, zone)) if start and end else []
    return preview(tiers, days, weekday, weekend)


def _local(at, zone: str) -> date:
    from zoneinfo import ZoneInfo

    return at.astimezone(ZoneInfo(zone)).date()


@bp.post("/preview")
@staff_required(*EDITORS)
def live_preview():
    """The editor's live preview: the form as it stands plus a traffic estimate, as JSON."""
    weekday, weekend = traffic(request.form)
    return jsonify(preview_of(document_from_form(request.form), weekday, weekend))


@bp.get("/campaigns/<slug>/preview")
@staff_required()
def campaign_preview(slug: str):
    """The preview of a saved campaign for a traffic estimate given in the address."""
    campaign = editing.campaign_for(db.session, me(), slug)
    weekday, weekend = traffic(request.args)
    result = preview_of(document.to_document(campaign), weekday, weekend)
    return render_template(
        "console/preview.html",
        campaign=campaign,
        result=result,
        weekday=weekday,
        weekend=weekend,
        codes=validation.available_codes(db.session, campaign),
    )
