"""Service notices (模板消息), optional per campaign and off by default: a winner's prize and how to
claim it, and a reminder some days before an unredeemed coupon expires.

The periodic ``notices`` job (``campaigns/jobs.py``) sends what is due. Each notice is claimed by
inserting its row, unique per (campaign, openid, kind), before WeChat is asked, so a notice is
sent at most once however many workers run. A refusal (43004 the follower does not follow, 43101
the follower refused service notices) is recorded and never retried; WeChat's quota (45009), a
slow or unreachable WeChat give the claim back and stop the run, so the next run tries again.
The account's own daily count is kept in Redis and the run stops at ``TEMPLATE_DAILY_QUOTA``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import requests
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from wechatpy.exceptions import WeChatClientException

from ..catalog.messages import msg
from ..catalog.models import Campaign, PrizeTier
from ..coupons.models import REDEEMABLE_STATES, CouponCode
from ..draws.models import Draw
from ..errors import InvalidInput
from ..keys import WeChatKeys
from ..staff import audit
from ..staff.models import Staff
from .client import CampaignClient, client_for
from .models import CampaignNotices, Notice

KINDS = ("winner", "expiry")
REFUSALS = frozenset({43004, 43101})
STOP = frozenset({45009, 45011})
DAILY_QUOTA = 100_000
BATCH = 200
MAX_REMINDER_DAYS = 30


class StopSending(Exception):
    """WeChat's quota is reached or WeChat cannot be reached: the rest waits for the next run."""


@dataclass(frozen=True)
class Due:
    """One notice to send: to whom, which kind, and the template data."""

    openid: str
    kind: str
    data: dict[str, dict[str, str]]


def settings_of(session: Session, campaign: Campaign) -> dict[str, Any]:
    """The campaign's notice settings (off until set)."""
    row = session.scalar(select(CampaignNotices).where(CampaignNotices.campaign_id == campaign.id))
    if row is None:
        return {"enabled": False, "winner_template_id": "", "expiry_template_id": "", "reminder_days": 3}
    return {
        "enabled": bool(row.enabled),
        "winner_template_id": row.winner_template_id,
        "expiry_template_id": row.expiry_template_id,
        "reminder_days": row.reminder_days,
    }


def _check(doc: Any) -> dict[str, Any]:
    if not isinstance(doc, dict):
        raise InvalidInput(msg("Send the notice settings as an object."), fields={"body": msg("Not an object.")})
    clean, problems = {**{"enabled": False, "reminder_days": 3}, **doc}, {}
    if not isinstance(clean["enabled"], bool):
        problems["enabled"] = msg("Say true or false.")
    for name in ("winner_template_id", "expiry_template_id"):
        value = clean.get(name) or ""
        if not isinstance(value, str) or len(value) > 64 or (clean["enabled"] is True and not value.strip()):
            problems[name] = msg("Copy the template id from the WeChat platform (up to 64 characters).")
        clean[name] = value.strip() if isinstance(value, str) else ""
    days = clean["reminder_days"]
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_REMINDER_DAYS:
        problems["reminder_days"] = msg("Enter a whole number of days from 1 to {limit}.", limit=MAX_REMINDER_DAYS)
    if set(clean) - {"enabled", "winner_template_id", "expiry_template_id", "reminder_days"}:
        problems["body"] = msg("Only enabled, winner_template_id, expiry_template_id and reminder_days.")
    if problems:
        raise InvalidInput(msg("Please correct the highlighted fields."), fields=problems)
    return clean


def configure(session: Session, staff: Staff | None, campaign: Campaign, doc: Any, now: datetime) -> dict[str, Any]:
    """Turn the campaign's notices on or off and set their templates; audited, in the caller's transaction."""
    clean = _check(doc)
    before = settings_of(session, campaign)
    row = session.scalar(select(CampaignNotices).where(CampaignNotices.campaign_id == campaign.id))
    if row is None:
        row = CampaignNotices(campaign_id=campaign.id)
        session.add(row)
    for name, value in clean.items():
        setattr(row, name, value)
    audit.record(session, staff, "notices.update", now, campaign_id=campaign.id, before=before, after=clean)
    return clean


def _noticed(campaign_id: int, kind: str):
    return select(Notice.openid).where(Notice.campaign_id == campaign_id, Notice.kind == kind)


def due_winner_notices(session: Session, campaign: Campaign) -> list[Due]:
    """Winners not told yet: the first win of each, its prize and how to claim it."""
    names = {t.tier: t.name for t in campaign.tiers if not t.is_fallback}
    rows = session.execute(
        select(Draw.openid, func.min(Draw.seq))
        .where(
            Draw.campaign_id == campaign.id,
            Draw.awarded_tier.in_(names),
            Draw.openid.not_in(_noticed(campaign.id, "winner")),
        )
        .group_by(Draw.openid)
        .limit(BATCH)
    ).all()
    tiers = dict(
        session.execute(
            select(Draw.seq, Draw.awarded_tier).where(
                Draw.campaign_id == campaign.id, Draw.seq.in_([seq for _, seq in rows])
            )
        ).all()
    )
    title = (campaign.look or {}).get("title") or campaign.name
    return [
        Due(
            openid,
            "winner",
            {
                "first": {"value": f"恭喜你在「{title}」中奖！"},
                "keyword1": {"value": names[tiers[seq]]},
                "keyword2": {"value": title},
                "remark": {"value": "打开活动页面的「我的奖品」查看券码，到店出示即可兑换。"},
            },
        )
        for openid, seq in rows
    ]


def due_expiry_notices(session: Session, campaign: Campaign, days: int, now: datetime) -> list[Due]:
    """Unredeemed coupons expiring within ``days`` whose holder was not reminded yet."""
    rows = session.execute(
        select(CouponCode.openid, func.min(CouponCode.valid_until), PrizeTier.name)
        .join(PrizeTier, CouponCode.tier_id == PrizeTier.id)
        .where(
            PrizeTier.campaign_id == campaign.id,
            CouponCode.state.in_(REDEEMABLE_STATES),
            CouponCode.openid.is_not(None),
            CouponCode.valid_until > now,
            CouponCode.valid_until <= now + timedelta(days=days),
            CouponCode.openid.not_in(_noticed(campaign.id, "expiry")),
        )
        .group_by(CouponCode.openid, PrizeTier.name)
        .limit(BATCH)
    ).all()
    zone, seen, due = ZoneInfo(campaign.timezone), set(), []
    for openid, until, prize in rows:
        if openid in seen:
            continue
        seen.add(openid)
        local = (until if until.tzinfo else until.replace(tzinfo=ZoneInfo("UTC"))).astimezone(zone)
        due.append(
            Due(
                openid,
                "expiry",
                {
                    "first": {"value": "你的奖品券即将过期，请尽快使用。"},
                    "keyword1": {"value": prize},
                    "keyword2": {"value": f"{local.month}月{local.day}日 {local:%H:%M}"},
                    "remark": {"value": "打开活动页面的「我的奖品」查看券码。"},
                },
            )
        )
    return due


def _within_quota(redis, app_id: str, now: datetime, quota: int) -> bool:
    """Count one more template message today; False (and not counted) once the day's quota is used."""
    key = WeChatKeys(app_id).templates_sent(now.date().isoformat())
    sent = redis.incr(key)
    redis.expire(key, 2 * 86400)
    if sent > quota:
        redis.decr(key)
        return False
    return True


def _claim(session: Session, campaign: Campaign, due: Due, now: datetime) -> Notice | None:
    """Insert the notice's row (its claim) and commit; None when it exists already."""
    notice = Notice(campaign_id=campaign.id, openid=due.openid, kind=due.kind, status="sending", at=now)
    session.add(notice)
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        return None
    return notice


def send(
    session: Session,
    client: CampaignClient,
    campaign: Campaign,
    template_id: str,
    due: Due,
    now: datetime,
    public_url: str,
) -> str | None:
    """Send one notice at most once; its status (``sent`` / ``refused``), or None when already claimed."""
    notice = _claim(session, campaign, due, now)
    if notice is None:
        return None
    try:
        answer = client.message.send_template(due.openid, template_id, due.data, url=f"{public_url}/c/{campaign.slug}/")
    except WeChatClientException as exc:
        if exc.errcode not in REFUSALS:
            session.delete(notice)
            session.commit()
            raise StopSending(f"WeChat answered {exc.errcode}") from exc
        notice.status, notice.errcode = "refused", exc.errcode
    except requests.RequestException as exc:
        session.delete(notice)
        session.commit()
        raise StopSending("WeChat cannot be reached") from exc
    else:
        notice.status, notice.msgid = "sent", str(answer.get("msgid", ""))
    session.commit()
    return notice.status


def send_due(session: Session, services, campaign: Campaign, now: datetime) -> dict[str, int]:
    """Send the campaign's due notices (if it has them on); how many were sent and refused."""
    settings = settings_of(session, campaign)
    counts = {"sent": 0, "refused": 0}
    if not settings["enabled"]:
        return counts
    client = client_for(services, campaign.account)
    quota = int(services.settings.get("TEMPLATE_DAILY_QUOTA") or DAILY_QUOTA)
    public_url = services.settings.get("PUBLIC_URL", "").rstrip("/")
    work = [(settings["winner_template_id"], d) for d in due_winner_notices(session, campaign)]
    days = settings["reminder_days"]
    work += [(settings["expiry_template_id"], d) for d in due_expiry_notices(session, campaign, days, now)]
    for template_id, due in work:
        if not _within_quota(services.redis, campaign.account.app_id, now, quota):
            break
        status = send(session, client, campaign, template_id, due, now, public_url)
        if status:
            counts[status] += 1
    return counts
