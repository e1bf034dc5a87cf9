"""An Official Account's WeChat Pay merchant (for cash red packets): set by an admin, secrets sealed, audited."""

from __future__ import annotations

from flask import redirect, render_template, request, url_for
from sqlalchemy import select

from campaigns.catalog.models import OfficialAccount
from campaigns.crypto import masked
from campaigns.errors import InvalidInput, NotFound
from campaigns.staff import audit
from campaigns.wechat.pay import SIGN_TYPES, merchant_of, set_merchant
from extensions import db
from web.staff_auth import staff_required

from . import bp
from .common import form_errors, me, now, services


def _account(slug: str) -> OfficialAccount:
    account = db.session.scalar(select(OfficialAccount).where(OfficialAccount.slug == slug))
    if account is None:
        raise NotFound("No such Official Account.")
    return account


def _page(account: OfficialAccount, **extra):
    merchant = merchant_of(db.session, account.id)
    key = services().secrets.open(merchant.api_key_sealed) if merchant else ""
    return render_template(
        "console/merchant.html",
        account=account,
        merchant=merchant,
        masked_key=masked(key),
        sign_types=SIGN_TYPES,
        **extra,
    )


@bp.get("/accounts/<account_slug>/pay")
@staff_required("admin")
def merchant(account_slug: str):
    """The account's WeChat Pay merchant settings (the API key shown masked)."""
    return _page(_account(account_slug))


@bp.post("/accounts/<account_slug>/pay")
@staff_required("admin")
def save_merchant(account_slug: str):
    """Record the account's merchant id, API key and certificate, sealed at rest."""
    account = _account(account_slug)
    form = request.form
    uploads = {name: request.files.get(name) for name in ("cert", "key")}
    pem = {name: (f.read().decode("utf-8", "replace") if f and f.filename else "") for name, f in uploads.items()}
    try:
        saved = set_merchant(
            db.session,
            services().secrets,
            account,
            mch_id=form.get("mch_id", "").strip(),
            api_key=form.get("api_key", "").strip(),
            send_name=form.get("send_name", "").strip(),
            cert_pem=pem["cert"],
            key_pem=pem["key"],
            sign_type=form.get("sign_type", "MD5"),
        )
    except InvalidInput as exc:
        return form_errors("console/merchant.html", exc, account=account, merchant=None, masked_key="",
                           sign_types=SIGN_TYPES, form=form)  # fmt: skip
    audit.record(
        db.session,
        me(),
        "merchant.set",
        now(),
        account_id=account.id,
        after={
            "mch_id": saved.mch_id,
            "send_name": saved.send_name,
            "sign_type": saved.sign_type,
            "certificate": bool(pem["cert"] and pem["key"]),
        },  # fmt: skip
    )
    db.session.commit()
    return redirect(url_for("console.merchant", account_slug=account_slug))
