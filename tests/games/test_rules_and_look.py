"""The public rules page, the wheel's segments and the colour contrast of the marketer's look."""

from __future__ import annotations

import flask_babel
from hypothesis import given
from hypothesis import strategies as st

from extensions import db
from games.look import contrast, page_look, text_on
from games.wheel import wheel_segments
from tests.factories import RulesVersionFactory
from tests.games.helpers import make_campaign

colours = st.tuples(*[st.integers(0, 255)] * 3).map(lambda rgb: "#{:02x}{:02x}{:02x}".format(*rgb))


def test_the_rules_page_lists_every_prize_with_its_quantity_and_chance(client):
    campaign = make_campaign(
        prizes=(("gold", "金奖", 1, 3, False), ("silver", "银奖", 3, 30, False), ("none", "谢谢参与", 4, 0, True)),
        plays_per_day=2,
    )
    db.session.commit()

    html = client.get(f"/c/{campaign.slug}/rules").get_data(as_text=True)

    assert "<tr><td>金奖</td><td>3</td><td>12.50%</td></tr>" in html
    assert "<tr><td>银奖</td><td>30</td><td>37.50%</td></tr>" in html
    assert "<tr><td>谢谢参与</td><td>不限</td><td>50.00%</td></tr>" in html
    assert "每日参与次数：2" in html


def test_the_rules_page_follows_the_published_rules_document(client):
    campaign = make_campaign()
    RulesVersionFactory(
        campaign=campaign,
        rules_json=(
            '{"prizes":[{"tier":"gold","name":"Gold","weight":1,"stock":7},'
            '{"tier":"none","name":"Nothing","weight":3,"stock":0}],"fallback_tier":"none",'
            '"limits":{"plays_per_day":null,"plays_total":5,"wins_total":1}}'
        ),
    )
    db.session.commit()
    flask_babel.refresh()

    html = client.get(f"/c/{campaign.slug}/rules", headers={"Accept-Language": "en"}).get_data(as_text=True)

    assert "<tr><td>Gold</td><td>7</td><td>25.00%</td></tr>" in html
    assert "<tr><td>Nothing</td><td>unlimited</td><td>75.00%</td></tr>" in html
    assert "Plays in total: 5" in html and "Prizes per person: 1" in html


def test_wheel_segments_give_every_prize_a_segment_and_the_fallback_its_own_between_them():
    tiers = [
        {"tier": "gold", "fallback": False},
        {"tier": "silver", "fallback": False},
        {"tier": "none", "fallback": True},
    ]

    assert wheel_segments(tiers) == ["gold", "none", "silver", "none", "gold", "none", "silver", "none"]
    assert wheel_segments(tiers[:1] + tiers[2:]) == ["gold", "none"] * 3
    assert wheel_segments([]) == []


@given(colours)
def test_text_on_any_background_colour_has_at_least_4_5_to_1_contrast(background):
    assert contrast(text_on(background), background) >= 4.5


def test_the_default_look_has_readable_text():
    look = page_look({})

    assert look["style"] == "--bg:#fff7ec;--fg:#1f1f1f;--accent:#c4161c;--on-accent:#ffffff"
    assert contrast("#1f1f1f", "#fff7ec") >= 4.5 and contrast("#ffffff", "#c4161c") >= 4.5


def test_the_compiled_chinese_catalogue_translates_every_message():
    from pathlib import Path

    from babel.messages.mofile import read_mo
    from babel.messages.pofile import read_po

    root = Path(__file__).resolve().parents[2] / "translations"
    with open(root / "messages.pot", "rb") as pot, open(root / "zh_Hans_CN/LC_MESSAGES/messages.mo", "rb") as mo:
        wanted = {m.id for m in read_po(pot) if m.id}
        compiled = {m.id: m.string for m in read_mo(mo) if m.id}

    assert wanted <= set(compiled)
    assert [msgid for msgid in wanted if not compiled[msgid]] == []
