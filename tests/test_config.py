"""Misconfiguration fails at start with one sentence naming the variable."""

import pytest

import config
from config import ConfigError


def test_defaults_use_sqlite_in_the_instance_folder_and_the_embedded_redis(tmp_path):
    settings = config.load({}, instance_path=tmp_path)
    assert settings["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'campaigns.sqlite3'}"
    assert settings["REDIS_URL"] is None


def test_postgresql_urls_use_psycopg3(tmp_path):
    settings = config.load({"DATABASE_URL": "postgresql://u:p@localhost/db"}, instance_path=tmp_path)
    assert settings["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u:p@localhost/db"


@pytest.mark.parametrize(
    "environ, variable",
    [
        ({"DATABASE_URL": "mysql//nope"}, "DATABASE_URL"),
        ({"REDIS_URL": "http://localhost:6379"}, "REDIS_URL"),
        ({"APP_ENV": "staging"}, "APP_ENV"),
        ({"SESSION_HOURS": "many"}, "SESSION_HOURS"),
        ({"APP_ENV": "production"}, "SECRET_KEY"),
        ({"APP_ENV": "production", "SECRET_KEY": config.DEV_SECRET_KEY}, "SECRET_KEY"),
    ],
)
def test_a_bad_setting_is_refused_in_one_sentence_naming_it(environ, variable, tmp_path):
    with pytest.raises(ConfigError) as refused:
        config.load(environ, instance_path=tmp_path)
    message = str(refused.value)
    assert message.startswith(variable) or f" {variable} " in f" {message} "
    assert "\n" not in message


def test_production_starts_with_a_real_secret(tmp_path):
    settings = config.load({"APP_ENV": "production", "SECRET_KEY": "s" * 40}, instance_path=tmp_path)
    assert settings["SESSION_COOKIE_SECURE"] is True
