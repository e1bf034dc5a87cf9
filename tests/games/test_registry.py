"""The game registry is the only list of games: the document, the API, the console and the pages read it,
so a new game is its own module, template, script and CSS and nothing else."""

from __future__ import annotations

import pytest

from campaigns.catalog import document, gamekinds
from games import registry
from games.grid import grid_cells
from games.registry import GAMES
from games.slot import BLANKS, loss_line_allowed, slot_symbols
from tests.console.conftest import campaign_doc

EVERY_GAME = ["grid", "scratch", "slot", "wheel"]


def test_the_registry_knows_every_game_and_the_domain_sees_the_same_list():
    assert sorted(GAMES) == EVERY_GAME
    assert sorted(gamekinds.known()) == EVERY_GAME
    assert document.SCHEMA["properties"]["game"]["enum"] == list(GAMES)


def test_an_unknown_game_is_refused_naming_the_registered_ones():
    _, problems = document.parse(campaign_doc(game="roulette"))
    assert problems["game"] == "Choose one of the games: " + ", ".join(GAMES) + "."


@pytest.mark.parametrize("game", [{"kind": "wheel"}, ["wheel"], None, 3])
def test_a_game_that_is_not_a_name_is_refused_the_same_way(game):
    # A dict or a list once reached the registry lookup unhashed: a 500 the API fuzzer found.
    _, problems = document.parse(campaign_doc(game=game))
    assert problems["game"] == "Choose one of the games: " + ", ".join(GAMES) + "."


def test_a_game_refuses_more_prizes_than_it_can_show():
    prizes = campaign_doc()["prizes"]
    many = [{**prizes[0], "tier": f"t{n}", "name": f"Prize {n}"} for n in range(8)] + [prizes[-1]]
    _, problems = document.parse(campaign_doc(game="grid", prizes=many))
    assert problems["prizes"] == "This game shows at most 8 prizes."
    _, problems = document.parse(campaign_doc(game="wheel", prizes=many))
    assert "prizes" not in problems


def test_the_domain_refuses_to_answer_before_any_game_registered(monkeypatch):
    monkeypatch.setattr(gamekinds, "KINDS", {})
    with pytest.raises(RuntimeError, match="no game kind"):
        gamekinds.known()


def test_registering_a_game_twice_is_an_error():
    with pytest.raises(ValueError):
        registry.register(GAMES["grid"])


def tiers(prizes, fallback=True):
    return [{"tier": p, "fallback": False} for p in prizes] + ([{"tier": "none", "fallback": True}] if fallback else [])


@pytest.mark.parametrize("prizes", [["a"], ["a", "b"], ["a", "b", "c"], list("abcd"), list("abcde"), list("abcdefg")])
def test_the_grid_has_eight_cells_every_prize_one_at_least_and_the_fallback_some(prizes):
    cells = grid_cells(tiers(prizes))
    assert len(cells) == 8
    assert set(cells) == {*prizes, "none"}


def test_the_grid_alternates_a_few_prizes_with_the_fallback():
    assert grid_cells(tiers(["gold", "silver"])) == ["gold", "none", "silver", "none"] * 2
    assert grid_cells(tiers(list("abcdefgh"), fallback=False)) == list("abcdefgh")


def test_the_slot_has_a_symbol_per_prize_and_three_blanks_and_the_fallback_none():
    assert slot_symbols(tiers(["gold", "silver"])) == {"symbols": ["gold", "silver", *BLANKS], "top": "gold"}


@pytest.mark.parametrize(
    ("line", "allowed"),
    [
        (["silver", "blank-1", "blank-2"], True),
        (["gold", "gold", "silver"], False),  # the near miss of the top prize
        (["gold", "silver", "blank-1"], False),
        (["silver", "silver", "blank-1"], False),
        (["blank-1", "blank-1", "blank-1"], False),
    ],
)
def test_a_slot_loss_line_is_three_different_symbols_without_the_top_prize(line, allowed):
    assert loss_line_allowed(line, "gold") is allowed
