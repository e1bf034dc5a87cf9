"""A follower's pseudonym: HMAC-SHA256 of the openid under a per-campaign key, the same wherever it is made."""

import hashlib
import hmac

from campaigns.analytics.pseudonym import pseudonymizer
from campaigns.players.pseudonym import campaign_key, hmac_pseudonym
from campaigns.players.services import pseudonym
from extensions import db
from tests.factories import CampaignFactory


def straightforward(key_material: str, campaign_id: int, openid: str) -> str:
    key = hashlib.sha256(f"wechat-campaigns/pseudonym/v1:{campaign_id}:{key_material}".encode()).digest()
    return hmac.new(key, openid.encode(), hashlib.sha256).hexdigest()[:32]


def test_the_pseudonym_is_the_documented_hmac_stable_within_a_campaign_and_unlinkable_across():
    value = hmac_pseudonym(campaign_key("app-key", 7), "oFollower")
    assert value == straightforward("app-key", 7, "oFollower") == pseudonym("app-key", 7, "oFollower")
    assert len(value) == 32 and int(value, 16) >= 0
    assert pseudonym("app-key", 8, "oFollower") != value
    assert pseudonym("other-key", 7, "oFollower") != value


def test_exports_give_a_follower_who_never_drew_the_same_hmac(app):
    campaign = CampaignFactory()
    db.session.commit()
    export = pseudonymizer(db.session, campaign.id, "app-key")
    assert export("oVisitor") == straightforward("app-key", campaign.id, "oVisitor")
