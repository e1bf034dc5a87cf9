from campaigns.draws import engine, services as draws
from extensions import db

from .helpers import published


def test_one_draw(services):
    campaign = published(db.session, services, prizes=[("gold", 10, 1, "all", "none")])
    ctx = draws.Context(db.session, services.redis, services.clock, services.secrets, services.settings)
    body = draws.draw(ctx, campaign, "openid-1", "key-00001")
    assert body["seq"] == 1
    again = draws.draw(ctx, campaign, "openid-1", "key-00001")
    assert again == body
    body2 = draws.draw(ctx, campaign, "openid-1", "key-00002")
    assert body2["seq"] == 2 and body2["nonce"] == 1
    print(body2)
