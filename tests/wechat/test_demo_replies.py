"""The demo account speaks: its seeded welcome, 抽奖 for each demo campaign and its menu, through the simulator."""

from __future__ import annotations

import requests

from campaigns.demo import DEMO_MENU
from simulator.state import DEMO_APP_ID


def sim(simulator, path: str, **body) -> dict:
    record = requests.post(simulator.url + path, json={"app_id": DEMO_APP_ID, **body}, timeout=10).json()
    assert record["status"] == "delivered", record
    return record["reply"]


def test_the_demo_welcomes_answers_its_keywords_and_publishes_its_menu(runner, sim_live_server, simulator):
    assert runner.invoke(args=["demo", "seed"]).exit_code == 0
    published = runner.invoke(args=["demo", "menu"])
    assert published.exit_code == 0, published.output
    assert simulator.state.menus[DEMO_APP_ID] == DEMO_MENU
    assert "抽奖" in sim(simulator, "/sim/push", user="amy", event="subscribe")["content"]
    both = sim(simulator, "/sim/message", user="amy", content="抽奖")["content"]  # two live games: links in a text
    assert "/c/scratch-demo/" in both and "/c/wheel-demo/" in both
    [card] = sim(simulator, "/sim/tap", user="amy", type="click", value="WHEEL")["articles"]
    assert card["Title"] == "幸运大转盘" and card["Url"].endswith("/c/wheel-demo/?ch=menu")
    [poster] = sim(simulator, "/sim/push", user="bob", event="subscribe", scene="scratch-demo:poster")["articles"]
    assert poster["Url"].endswith("/c/scratch-demo/?ch=scratch-demo%3Aposter")
