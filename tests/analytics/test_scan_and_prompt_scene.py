"""A SCAN by an existing follower is no follow; the campaign's own follow-prompt scene is attributed."""

from campaigns.analytics.attribution import CAMPAIGN_SCENE
from campaigns.analytics.load import OTHER_SCENE, columns_from_rows, load_columns
from campaigns.analytics.metrics import Columns
from extensions import db
from tests.factories import CampaignFactory, EventFactory

DAY = 86_400_000


def _follows(rows) -> Columns:
    return columns_from_rows(rows, ["gold", "none"], "none", {"shop:poster", "campaign:spring"})


def test_a_scan_push_is_not_counted_as_a_follow():
    columns = _follows(
        [
            ("follow", "o1", DAY, {"scene": "shop:poster", "channel": "海报", "via": "subscribe"}),
            ("follow", "o2", DAY, {"scene": "shop:poster", "channel": "海报", "via": "scan"}),
        ]
    )
    assert len(columns.follow_ts) == 1


def test_the_campaign_prompt_scene_counts_as_the_campaigns_scene(app):
    campaign = CampaignFactory(slug="spring")
    EventFactory(
        campaign_id=campaign.id, type="follow", openid="o1", data={"scene": "campaign:spring", "via": "subscribe"}
    )
    EventFactory(
        campaign_id=campaign.id, type="follow", openid="o2", data={"scene": "campaign:other", "via": "subscribe"}
    )
    db.session.flush()

    columns = load_columns(db.session, campaign)

    assert sorted(columns.follow_scene.tolist()) == [CAMPAIGN_SCENE, OTHER_SCENE]
