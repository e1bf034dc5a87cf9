"""factory-boy factories for every model, persisting through the app's session."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import factory
from factory.alchemy import SQLAlchemyModelFactory

from campaigns import models
from campaigns.crypto import SecretBox
from extensions import db

BOX = SecretBox("test-secret")
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


class Base(SQLAlchemyModelFactory):
    class Meta:
        abstract = True
        sqlalchemy_session_factory = lambda: db.session  # noqa: E731
        sqlalchemy_session_persistence = "flush"


class OfficialAccountFactory(Base):
    class Meta:
        model = models.OfficialAccount

    slug = factory.Sequence(lambda n: f"brand-{n}")
    name = factory.Sequence(lambda n: f"品牌 {n}")
    app_id = factory.Sequence(lambda n: f"wx{n:016d}")
    original_id = factory.Sequence(lambda n: f"gh_{n:012d}")
    app_secret_sealed = factory.LazyFunction(lambda: BOX.seal("app-secret"))
    token_sealed = factory.LazyFunction(lambda: BOX.seal("token"))
    aes_key_sealed = factory.LazyFunction(lambda: BOX.seal("abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"))


class CampaignFactory(Base):
    class Meta:
        model = models.Campaign

    account = factory.SubFactory(OfficialAccountFactory)
    slug = factory.Sequence(lambda n: f"campaign-{n}")
    name = factory.Sequence(lambda n: f"活动 {n}")
    game = "scratch"
    status = "draft"
    timezone = "Asia/Shanghai"
    starts_at = NOW - timedelta(days=1)
    ends_at = NOW + timedelta(days=13)
    look = factory.LazyFunction(dict)


class PrizeTierFactory(Base):
    class Meta:
        model = models.PrizeTier

    campaign = factory.SubFactory(CampaignFactory)
    position = factory.Sequence(int)
    tier = factory.Sequence(lambda n: f"t{n}")
    name = factory.Sequence(lambda n: f"奖品 {n}")
    weight = 10
    stock = 5
    release = "all"
    is_fallback = False
    coupon_kind = "none"


class RulesVersionFactory(Base):
    class Meta:
        model = models.RulesVersion

    campaign = factory.SubFactory(CampaignFactory)
    version = 1
    from_seq = 1
    rules_json = "{}"
    rules_hash = "0" * 64


class ChannelFactory(Base):
    class Meta:
        model = models.Channel

    campaign = factory.SubFactory(CampaignFactory)
    name = factory.Sequence(lambda n: f"channel-{n}")
    scene = factory.Sequence(lambda n: f"scene-{n}")


class FollowerFactory(Base):
    class Meta:
        model = models.Follower

    account = factory.SubFactory(OfficialAccountFactory)
    openid = factory.Sequence(lambda n: f"o{n:027d}")


class PlayerFactory(Base):
    class Meta:
        model = models.Player

    campaign = factory.SubFactory(CampaignFactory)
    follower = factory.SubFactory(FollowerFactory, account=factory.SelfAttribute("..campaign.account"))
    pseudonym = factory.Sequence(lambda n: f"p{n:015d}")


class DrawFactory(Base):
    class Meta:
        model = models.Draw

    campaign_id = factory.LazyAttribute(lambda o: CampaignFactory().id)
    seq = factory.Sequence(lambda n: n + 1)
    ts = NOW
    openid = factory.Sequence(lambda n: f"o{n:027d}")
    player = factory.Sequence(lambda n: f"p{n:015d}")
    client_seed = "seed"
    nonce = 0
    drawn_tier = "none"
    awarded_tier = "none"
    reason = None
    rules_version = 1


class CouponCodeFactory(Base):
    class Meta:
        model = models.CouponCode

    tier_id = factory.LazyAttribute(lambda o: PrizeTierFactory(coupon_kind="code").id)
    code = factory.Sequence(lambda n: f"CODE{n:08d}")


class EventFactory(Base):
    class Meta:
        model = models.Event

    campaign_id = factory.LazyAttribute(lambda o: CampaignFactory().id)
    event_id = factory.Sequence(lambda n: f"e{n}")
    type = "visit"
    openid = factory.Sequence(lambda n: f"o{n:027d}")
    ts_ms = int(NOW.timestamp() * 1000)
    data = factory.LazyFunction(dict)


class DailyStatFactory(Base):
    class Meta:
        model = models.DailyStat

    campaign_id = factory.LazyAttribute(lambda o: CampaignFactory().id)
    day = "2026-11-23"
    values = factory.LazyFunction(dict)
    computed_at = NOW


class StaffFactory(Base):
    class Meta:
        model = models.Staff

    email = factory.Sequence(lambda n: f"staff{n}@example.com")
    password_hash = "scrypt:placeholder"
    role = "marketer"

    @factory.post_generation
    def accounts(staff, create, extracted, **kwargs):
        """``StaffFactory(accounts=[account, ...])``: the Official Accounts the staff member works on."""
        for account in extracted or ():
            db.session.add(models.StaffAccount(staff_id=staff.id, account_id=account.id))


class StaffAccountFactory(Base):
    class Meta:
        model = models.StaffAccount

    staff_id = factory.LazyAttribute(lambda o: StaffFactory().id)
    account_id = factory.LazyAttribute(lambda o: OfficialAccountFactory().id)


class ApiTokenFactory(Base):
    class Meta:
        model = models.ApiToken

    staff = factory.SubFactory(StaffFactory)
    label = "script"
    role = factory.SelfAttribute("staff.role")
    token_hash = factory.Sequence(lambda n: f"{n:064x}")
    created_at = NOW


class AuditEntryFactory(Base):
    class Meta:
        model = models.AuditEntry

    at = NOW
    staff_email = "staff@example.com"
    action = "campaign.update"
    before = None
    after = factory.LazyFunction(dict)
