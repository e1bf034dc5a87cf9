"""The demo data: one Official Account, a live campaign of each game, and a finished campaign.

The live ones are a scratch card, a wheel, a grid and a slot machine. The finished one ran
for the last 14 days: it is published with its start in the past, its history is simulated
through the real draw script, then it is ended and its server seed revealed, so its
dashboard is full and ``flask campaigns verify`` passes on it. The account has a welcome
message, the keyword 抽奖 for each live campaign, menu-click replies and a menu.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash

from .catalog.models import Campaign, Channel, OfficialAccount, PrizeTier
from .clock import Clock
from .coupons.models import CouponCode
from .coupons.services import generate_missing
from .crypto import SecretBox
from .staff.models import Staff
from .wechat.models import AccountMenu, AccountReplies
from .wechat.pay import set_merchant

DEMO_ACCOUNT = "demo-brand"
DEMO_ADMIN = "admin@demo.local"
# The simulator's demo account; see simulator/state.py.
DEMO_APP_ID = "wxdemo0000000001"
DEMO_APP_SECRET = "demo-app-secret-0000000000000001"
DEMO_TOKEN = "demotoken"
DEMO_AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
# The simulator's demo WeChat Pay merchant; see simulator/pay.py.
DEMO_MCH_ID = "1900000109"
DEMO_PAY_KEY = "DemoPayKey0000000000000000000001"

FINISHED = "autumn-demo"
FINISHED_DAYS = 14
FINISHED_PLAYERS = 1500
TIMEZONE = "Asia/Shanghai"

PRIZES = (
    # tier, name, weight, stock, coupon kind, value in fen
    ("gold", "一等奖：免费咖啡一杯", 5, 20, "code", 3200),
    ("silver", "二等奖：半价券", 15, 100, "code", 1600),
    ("bronze", "三等奖：曲奇一块", 30, 300, "code", 500),
    ("bag", "四等奖：帆布袋（包邮到家）", 10, 50, "shipping", 3900),
    ("cash", "五等奖：微信现金红包 ¥1.88", 5, 100, "red_packet", 188),
    ("none", "谢谢参与", 35, 0, "none", 0),
)


LIVE = ("scratch-demo", "wheel-demo", "grid-demo", "slot-demo")


def _campaign_reply(*slugs: str) -> dict:
    return {"type": "campaigns", "campaigns": list(slugs)}


# The account's own voice (campaigns/wechat/replies.py): a welcome, 抽奖 for each demo campaign, and a menu.
DEMO_REPLIES = {
    "welcome": {"type": "text", "content": "欢迎关注演示品牌！回复「抽奖」或点菜单「抽奖」参加活动。"},
    "default": {"type": "text", "content": "回复「抽奖」参加活动，回复「刮刮卡」或「转盘」直达游戏。"},
    "keywords": [
        {"keyword": "抽奖", "match": "contains", "reply": _campaign_reply(*LIVE)},
        {"keyword": "刮刮卡", "match": "contains", "reply": _campaign_reply("scratch-demo")},
        {"keyword": "转盘", "match": "contains", "reply": _campaign_reply("wheel-demo")},
        {"keyword": "九宫格", "match": "contains", "reply": _campaign_reply("grid-demo")},
        {"keyword": "老虎机", "match": "contains", "reply": _campaign_reply("slot-demo")},
    ],
    "clicks": [
        {"key": "PLAY", "reply": _campaign_reply()},
        {"key": "SCRATCH", "reply": _campaign_reply("scratch-demo")},
        {"key": "WHEEL", "reply": _campaign_reply("wheel-demo")},
        {"key": "GRID", "reply": _campaign_reply("grid-demo")},
        {"key": "SLOT", "reply": _campaign_reply("slot-demo")},
    ],
}
DEMO_MENU = {
    "button": [
        {"type": "click", "name": "抽奖", "key": "PLAY"},
        {
            "name": "活动",
            "sub_button": [
                {"type": "click", "name": "双十二刮刮卡", "key": "SCRATCH"},
                {"type": "click", "name": "幸运大转盘", "key": "WHEEL"},
                {"type": "click", "name": "九宫格抽奖", "key": "GRID"},
                {"type": "click", "name": "幸运老虎机", "key": "SLOT"},
            ],
        },
    ]
}


def _campaign(account: OfficialAccount, slug: str, name: str, game: str, clock: Clock, winners: int = 0) -> Campaign:
    now = clock.now().replace(microsecond=0)
    campaign = Campaign(
        account=account,
        slug=slug,
        name=name,
        game=game,
        status="draft",
        starts_at=now,
        ends_at=now + timedelta(days=30),
        plays_per_day=5,
        look={"title": name, **({"winners": winners} if winners else {})},
    )
    for position, (tier, prize, weight, stock, coupon, value) in enumerate(PRIZES):
        campaign.tiers.append(
            PrizeTier(
                position=position,
                tier=tier,
                name=prize,
                weight=weight,
                stock=stock,
                is_fallback=tier == "none",
                coupon_kind=coupon,
                value_minor=value,
            )
        )
    campaign.channels.append(Channel(name="海报", scene=f"{slug}:poster"))
    campaign.channels.append(Channel(name="桌牌", scene=f"{slug}:table"))
    return campaign


def _finished(account: OfficialAccount, clock: Clock) -> Campaign:
    """The finished campaign: 14 local days up to an hour ago."""
    campaign = _campaign(account, FINISHED, "秋季刮刮卡（已结束）", "scratch", clock)
    now = clock.now().replace(microsecond=0)
    today = now.astimezone(ZoneInfo(TIMEZONE)).date()
    first = datetime.combine(today - timedelta(days=FINISHED_DAYS - 1), time(0), tzinfo=ZoneInfo(TIMEZONE))
    campaign.starts_at, campaign.ends_at = first.astimezone(UTC), now - timedelta(hours=1)
    campaign.timezone = TIMEZONE
    # A daily release spreads the prizes over the 14 days, as a marketer would for a long campaign.
    for tier in campaign.tiers:
        if not tier.is_fallback:
            tier.release = {"per_day": -(-tier.stock // FINISHED_DAYS)}
    return campaign


def seed(session: Session, box: SecretBox, clock: Clock) -> list[Campaign]:
    """Create the demo data unless it exists; return the demo campaigns (not yet published)."""
    account = session.scalar(select(OfficialAccount).where(OfficialAccount.slug == DEMO_ACCOUNT))
    if account is not None:
        return list(account.campaigns)
    account = OfficialAccount(
        slug=DEMO_ACCOUNT,
        name="演示品牌 Demo Brand",
        app_id=DEMO_APP_ID,
        original_id="gh_demo00000001",
        app_secret_sealed=box.seal(DEMO_APP_SECRET),
        token_sealed=box.seal(DEMO_TOKEN),
        aes_key_sealed=box.seal(DEMO_AES_KEY),
    )
    session.add(account)
    campaigns = [
        _campaign(account, "scratch-demo", "双十二刮刮卡", "scratch", clock),
        _campaign(account, "wheel-demo", "幸运大转盘", "wheel", clock),
        _finished(account, clock),
        _campaign(account, "grid-demo", "九宫格抽奖", "grid", clock, winners=10),
        _campaign(account, "slot-demo", "幸运老虎机", "slot", clock, winners=10),
    ]
    session.add_all(campaigns)
    session.flush()
    set_merchant(session, box, account, mch_id=DEMO_MCH_ID, api_key=DEMO_PAY_KEY, send_name="演示品牌")
    session.add(AccountReplies(account_id=account.id, document=DEMO_REPLIES))
    session.add(AccountMenu(account_id=account.id, menu=DEMO_MENU))
    for campaign in campaigns:
        for tier in campaign.tiers:
            if tier.coupon_kind == "code":
                session.add_all(
                    CouponCode(tier_id=tier.id, code=f"DEMO{secrets.token_hex(6).upper()}") for _ in range(tier.stock)
                )
        # The shipped prize's claim codes are the platform's, as at any publish.
        generate_missing(session, campaign)
    return campaigns


def reset_admin(session: Session) -> tuple[str, str]:
    """Create the demo admin, or give it a new password; return the login."""
    password = secrets.token_urlsafe(9)
    staff = session.scalar(select(Staff).where(Staff.email == DEMO_ADMIN))
    if staff is None:
        staff = Staff(email=DEMO_ADMIN, role="admin", password_hash="")
        session.add(staff)
    staff.password_hash = generate_password_hash(password)
    return DEMO_ADMIN, password
