"""Every model, imported in one place so Alembic and ``create_all`` see the whole schema."""

from .analytics.models import DailyStat, Event
from .base import Base
from .catalog.models import Campaign, Channel, OfficialAccount, PrizeTier, RulesVersion
from .coupons.models import CouponCode, Redemption, RefusalLog, Store, StoreLink
from .draws.models import Draw
from .players.models import Follower, Player
from .staff.models import ApiToken, AuditEntry, Staff, StaffAccount
from .wechat.models import AccountMenu, AccountReplies, CampaignNotices, Notice

__all__ = [
    "Base",
    "OfficialAccount",
    "Campaign",
    "PrizeTier",
    "RulesVersion",
    "Channel",
    "Follower",
    "Player",
    "Draw",
    "CouponCode",
    "Event",
    "DailyStat",
    "Staff",
    "Store",
    "StoreLink",
    "Redemption",
    "RefusalLog",
    "ApiToken",
    "AuditEntry",
    "StaffAccount",
    "AccountReplies",
    "AccountMenu",
    "CampaignNotices",
    "Notice",
]
