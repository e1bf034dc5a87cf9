"""The skeleton is real: health, errors, migrations, the embedded Redis, preflight."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from app import create_app
from campaigns.base import Base
from config import ConfigError
from extensions import db
from tests.factories import CampaignFactory
from web import preflight


def test_healthz_reports_database_and_redis(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "checks": {"database": "ok", "redis": "ok"}}


def test_healthz_names_redis_when_it_is_down(app, tmp_path):
    broken = create_app({**app.config, "REDIS_URL": f"unix://{tmp_path}/nothing.sock"})
    response = broken.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json["checks"]["database"] == "ok"
    assert response.json["checks"]["redis"].startswith("down")


def test_preflight_refuses_an_unreachable_redis_naming_the_variable(app, tmp_path):
    broken = create_app({**app.config, "REDIS_URL": f"unix://{tmp_path}/nothing.sock"})
    with pytest.raises(ConfigError, match="^REDIS_URL"):
        preflight.check(broken)


def test_preflight_refuses_an_unreachable_database_naming_the_variable(app):
    broken = create_app({**app.config, "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://nobody@127.0.0.1:9/none"})
    with pytest.raises(ConfigError, match="^DATABASE_URL"):
        preflight.check(broken)


def test_the_migrations_match_the_models(app):
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []


def test_the_embedded_redis_is_a_real_server_with_lua_and_streams(services):
    info = services.redis.info("server")
    assert int(info["redis_version"].split(".")[0]) >= 6
    assert services.redis.eval("return redis.call('INCRBY', KEYS[1], ARGV[1])", 1, "k", 41) == 41
    services.redis.xadd("s", {"a": "1"})
    services.redis.xgroup_create("s", "g", id="0")
    assert services.redis.xautoclaim("s", "g", "c", 0)[0] == "0-0"


def test_an_unknown_campaign_is_a_clear_404_page(client):
    response = client.get("/c/nope/", headers={"Accept": "text/html"})
    assert response.status_code == 404
    assert "This campaign does not exist." in response.get_data(as_text=True)


def test_errors_have_one_json_shape(client):
    response = client.get("/c/nope/", headers={"Accept": "application/json"})
    assert response.status_code == 404
    assert response.json == {"error": {"code": "not_found", "message": "This campaign does not exist."}}


def test_every_response_carries_security_headers(client):
    response = client.get("/healthz")
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in response.headers["Content-Security-Policy"].split("script-src")[1].split(";")[0]
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_the_game_page_renders_the_campaign(client):
    CampaignFactory(slug="spring", name="春季活动", status="live", game="wheel")
    db.session.commit()
    response = client.get("/c/spring/")
    assert response.status_code == 200
    assert "春季活动" in response.get_data(as_text=True)
