"""A game registered in the registry alone appears in the console's picker, the API's OpenAPI document
and the document validation: nothing else lists the games."""

from __future__ import annotations

import pytest
from flask_babel import lazy_gettext as _l

from campaigns.catalog import document, gamekinds
from games import registry
from games.registry import GAMES, GameType
from tests.console.conftest import campaign_doc

EVERY_GAME = ["grid", "scratch", "slot", "wheel"]


@pytest.fixture
def a_new_game():
    """A game registered the way a new module would register itself; unregistered afterwards."""
    game = registry.register(
        GameType(key="dice", label=_l("Dice"), template="games/wheel.html", script="js/wheel.js", style="css/wheel.css")
    )
    yield game
    del GAMES["dice"], gamekinds.KINDS["dice"]
    gamekinds.KEYS.remove("dice")


def test_a_registered_game_is_in_the_schema_the_api_the_validation_and_the_console(app, as_marketer, a_new_game):
    spec = as_marketer.get("/api/v1/openapi.json").get_json()
    schemas = spec["components"]["schemas"]
    assert "dice" in schemas["CampaignDocument"]["properties"]["game"]["enum"]
    assert "dice" in schemas["CampaignSummary"]["properties"]["game"]["enum"]
    assert "dice" in document.SCHEMA["properties"]["game"]["enum"]
    values, problems = document.parse(campaign_doc(game="dice"))
    assert "game" not in problems and values["game"] == "dice"

    editor = as_marketer.get("/console/campaigns/new").get_data(as_text=True)
    assert '<option value="dice" data-preview="card">Dice</option>' in editor
    for key in EVERY_GAME:
        assert f'<option value="{key}"' in editor
