"""What the account says: its custom menu (edit, preview, publish, import) and its replies, on one page."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from campaigns.catalog.models import Campaign, OfficialAccount
from campaigns.errors import CampaignError, InvalidInput
from campaigns.staff.services import account_ids
from campaigns.wechat import menu, replies, voice
from extensions import db
from web.staff_auth import staff_required

from . import bp
from .common import EDITORS, me, now, services

MENU_ROWS, SUB_ROWS, KEYWORD_ROWS, CLICK_ROWS = menu.MAX_BUTTONS, menu.MAX_SUB_BUTTONS, 3, 3


def _leaf_from_form(form, prefix: str) -> dict[str, str] | None:
    """One button of the form (``<prefix>name``, ``type``, ``value``), or None for an empty row."""
    name, kind, value = (form.get(prefix + part, "").strip() for part in ("name", "type", "value"))
    if not name and not value:
        return None
    return {"type": kind, "name": name, "url" if kind == "view" else "key": value}


def menu_from_form(form) -> dict[str, Any]:
    """WeChat's menu JSON from the editor's rows; empty rows are left out."""
    buttons = []
    for i in range(MENU_ROWS):
        subs = [s for j in range(SUB_ROWS) if (s := _leaf_from_form(form, f"b{i}-{j}-"))]
        if form.get(f"b{i}-type") == "group" or subs:
            name = form.get(f"b{i}-name", "").strip()
            if name or subs:
                buttons.append({"name": name, "sub_button": subs})
        elif leaf := _leaf_from_form(form, f"b{i}-"):
            buttons.append(leaf)
    return {"button": buttons}


def _rows(form, name: str, limit: int) -> range:
    """The row numbers the form says it has (at most ``limit``; nonsense is none)."""
    value = form.get(name, "")
    return range(min(int(value), limit)) if value.isdigit() else range(0)


def _reply_from_form(form, prefix: str, required: bool = False) -> dict[str, Any] | None:
    """The reply of a form row; an empty text is no reply, unless the row needs one (then it is refused)."""
    kind = form.get(prefix + "kind", "text")
    if kind == "campaigns":
        slug = form.get(prefix + "campaign", "")
        return {"type": "campaigns", "campaigns": [slug] if slug else []}
    text = form.get(prefix + "text", "")
    return {"type": "text", "content": text} if text.strip() or required else None


def replies_from_form(form) -> dict[str, Any]:
    """The replies document from the form; rows without a keyword or key are left out."""
    keywords = [
        {"keyword": word, "match": form.get(f"kw{i}-match", "exact"), "reply": _reply_from_form(form, f"kw{i}-", True)}
        for i in _rows(form, "keyword_rows", replies.MAX_KEYWORDS + KEYWORD_ROWS)
        if (word := form.get(f"kw{i}-keyword", "").strip())
    ]
    clicks = [
        {"key": key, "reply": _reply_from_form(form, f"ck{i}-", True)}
        for i in _rows(form, "click_rows", replies.MAX_CLICKS + CLICK_ROWS)
        if (key := form.get(f"ck{i}-key", "").strip())
    ]
    welcome = _reply_from_form(form, "welcome-") if form.get("welcome-kind") != "none" else None
    return {"welcome": welcome, "default": _reply_from_form(form, "default-"), "keywords": keywords, "clicks": clicks}


def _page(slug: str, *, menu_doc=None, replies_doc=None, status: int = 200, **extra):
    account = voice.account_for(db.session, me(), slug)
    saved = menu.document(db.session, account)
    campaigns = db.session.scalars(
        select(Campaign).where(Campaign.account_id == account.id, Campaign.archived.is_(False)).order_by(Campaign.id)
    ).all()
    doc = replies_doc or replies.document(db.session, account)
    body = render_template(
        "console/voice.html",
        account=account,
        menu_doc=menu_doc or saved["menu"],
        saved_menu=saved["menu"],
        published_at=saved["published_at"],
        replies_doc=doc,
        campaigns=campaigns,
        keyword_rows=len(doc["keywords"]) + KEYWORD_ROWS,
        click_rows=len(doc["clicks"]) + CLICK_ROWS,
        menu_rows=MENU_ROWS,
        sub_rows=SUB_ROWS,
        **extra,
    )
    return body, status


@bp.get("/messages")
@staff_required()
def voice_accounts():
    """The accounts whose menu and replies the staff member edits."""
    allowed = account_ids(db.session, me())
    query = select(OfficialAccount).order_by(OfficialAccount.name)
    accounts = list(db.session.scalars(query if allowed is None else query.where(OfficialAccount.id.in_(allowed))))
    if len(accounts) == 1:
        return redirect(url_for("console.account_voice", slug=accounts[0].slug))
    return render_template("console/voice_accounts.html", accounts=accounts)


@bp.get("/accounts/<slug>/menu")
@staff_required()
def account_voice(slug: str):
    """The account's menu editor with its preview, and its replies."""
    return _page(slug)


def _done(slug: str, message: str, anchor: str):
    db.session.commit()
    services().replies.forget(slug)
    flash(message)
    return redirect(url_for("console.account_voice", slug=slug) + anchor)


@bp.post("/accounts/<slug>/menu")
@staff_required(*EDITORS)
def save_menu(slug: str):
    """Save the edited menu (not yet published)."""
    doc = menu_from_form(request.form)
    try:
        voice.put_menu(db.session, services(), me(), slug, doc, now())
    except InvalidInput as exc:
        db.session.rollback()
        return _page(slug, menu_doc=doc, status=400, error=exc.message, fields=exc.fields)
    return _done(slug, _("Menu saved. Publish it to show it in WeChat."), "#menu")


def _menu_call(slug: str, call, done: str):
    try:
        call(db.session, services(), me(), slug, now())
    except CampaignError as exc:
        db.session.rollback()
        return _page(slug, status=exc.status, error=exc.message, fields=exc.fields)
    return _done(slug, done, "#menu")


@bp.post("/accounts/<slug>/menu/publish")
@staff_required(*EDITORS)
def publish_menu(slug: str):
    """Publish the saved menu to WeChat (menu/create)."""
    return _menu_call(slug, voice.publish_menu, _("Menu published to WeChat."))


@bp.post("/accounts/<slug>/menu/import")
@staff_required(*EDITORS)
def import_menu(slug: str):
    """Replace the saved menu by the one WeChat has (menu/get)."""
    return _menu_call(slug, voice.import_menu, _("Menu imported from WeChat."))


@bp.post("/accounts/<slug>/replies")
@staff_required(*EDITORS)
def save_replies(slug: str):
    """Save the welcome message, the default reply, the keywords and the menu-click replies."""
    doc = replies_from_form(request.form)
    try:
        voice.put_replies(db.session, me(), slug, doc, now())
    except InvalidInput as exc:
        db.session.rollback()
        shown = {**replies.EMPTY, **doc}
        return _page(slug, replies_doc=shown, status=400, error=exc.message, fields=exc.fields)
    return _done(slug, _("Replies saved."), "#replies")
