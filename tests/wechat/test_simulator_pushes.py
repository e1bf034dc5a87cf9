"""Pushes from the simulator reach the app over HTTP in every mode, signed with the current time;
the command does the same."""

from __future__ import annotations

import pytest
import requests

from campaigns.keys import CampaignKeys
from extensions import db
from tests.factories import CampaignFactory, ChannelFactory, OfficialAccountFactory
from tests.wechat.pushes import AES_KEY, TOKEN

# The app and the simulator share the test's clock: the campaigns are the factories', around NOW.
pytestmark = pytest.mark.clock


@pytest.fixture
def campaign(app, simulator):
    account = OfficialAccountFactory(slug="tea-brand")
    campaign = CampaignFactory(account=account, status="live")
    ChannelFactory(campaign=campaign, name="table card", scene="tea:table")
    db.session.commit()
    return campaign


def register(simulator, campaign, mode: str) -> None:
    """Set WeChat and the app alike: an EncodingAESKey on both sides unless the account pushes plaintext."""
    aes_key = "" if mode == "plaintext" else AES_KEY
    if not aes_key:
        campaign.account.aes_key_sealed = ""
        db.session.commit()
    simulator.state.register(
        campaign.account.app_id,
        secret="app-secret",
        token=TOKEN,
        aes_key=aes_key,
        slug=campaign.account.slug,
        mode=mode,
    )


def events(services, campaign) -> list[tuple[str, str, str]]:
    entries = services.redis.xrange(CampaignKeys(campaign.id).events)
    return [(fields["type"], fields["openid"], fields["channel"]) for _, fields in entries]


def push(simulator, campaign, **body) -> dict:
    return requests.post(simulator.url + "/sim/push", json={"app_id": campaign.account.app_id, **body}).json()


@pytest.mark.parametrize("mode", ["plaintext", "compatible", "aes"])
def test_a_follow_then_an_unfollow_become_the_campaign_events(services, sim_live_server, simulator, campaign, mode):
    register(simulator, campaign, mode)
    followed = push(simulator, campaign, user="amy", event="subscribe", scene="tea:table")
    assert followed["status"] == "delivered" and followed["answers"][0]["ms"] < 5000
    push(simulator, campaign, user="amy", event="unsubscribe")
    openid = simulator.state.user(campaign.account.app_id, "amy").openid
    assert events(services, campaign) == [("follow", openid, "table card"), ("unfollow", openid, "")]


@pytest.mark.clock
def test_retries_are_recorded_once_and_dropped_pushes_never(services, sim_live_server, simulator, campaign, clock):
    simulator.state.clock = lambda: clock.now().timestamp()
    register(simulator, campaign, "aes")
    retried = push(simulator, campaign, user="ben", event="subscribe", scene="tea:table", repeat=3)
    replies = [a["reply"] for a in retried["answers"]]
    assert retried["status"] == "delivered" and replies[0]["type"] == "news" and replies == [replies[0]] * 3
    simulator.state.misbehave.drop_pushes = 1
    assert push(simulator, campaign, user="cat", event="subscribe")["status"] == "dropped"
    assert len(events(services, campaign)) == 1


def test_a_push_signed_with_another_token_is_refused(services, sim_live_server, simulator, campaign):
    register(simulator, campaign, "aes")
    simulator.state.accounts[campaign.account.app_id].token = "not-the-apps-token"
    refused = push(simulator, campaign, user="dan", event="subscribe")
    assert refused["status"] == "failed" and refused["answers"][0]["status"] == 403
    assert events(services, campaign) == []


def test_a_plaintext_push_to_an_app_account_with_an_aes_key_is_refused(services, sim_live_server, simulator, campaign):
    simulator.state.register(
        campaign.account.app_id,
        secret="app-secret",
        token=TOKEN,
        aes_key=AES_KEY,
        slug=campaign.account.slug,
        mode="plaintext",
    )
    refused = push(simulator, campaign, user="gus", event="subscribe", scene="tea:table")
    assert refused["mode"] == "plaintext" and refused["answers"][0]["status"] == 403
    assert events(services, campaign) == []


def test_a_push_signed_more_than_five_minutes_off_is_refused(services, sim_live_server, simulator, campaign):
    register(simulator, campaign, "aes")
    now = simulator.state.clock()
    simulator.state.clock = lambda: now - 301  # WeChat's clock (or a replayer) five minutes behind
    late = push(simulator, campaign, user="hal", event="subscribe", scene="tea:table")
    simulator.state.clock = lambda: now + 301
    early = push(simulator, campaign, user="ida", event="subscribe", scene="tea:table")
    assert [late["answers"][0]["status"], early["answers"][0]["status"]] == [403, 403]
    assert events(services, campaign) == []


def test_the_command_follows_and_unfollows_through_the_simulator(
    runner, services, sim_live_server, simulator, campaign
):
    result = runner.invoke(
        args=["wechat-sim", "follow", "--user", "eve", "--scene", "tea:table", "--account", "tea-brand"]
    )
    assert result.exit_code == 0, result.output
    assert "delivered" in result.output
    assert runner.invoke(args=["wechat-sim", "unfollow", "--user", "eve", "--account", "tea-brand"]).exit_code == 0
    assert [kind for kind, _, _ in events(services, campaign)] == ["follow", "unfollow"]
    assert simulator.state.user(campaign.account.app_id, "eve").subscribed is False


def test_the_command_pushes_plaintext_for_an_account_without_an_aes_key(
    runner, services, sim_live_server, simulator, campaign
):
    campaign.account.aes_key_sealed = ""
    db.session.commit()
    result = runner.invoke(args=["wechat-sim", "follow", "--user", "joe", "--account", "tea-brand"])
    assert result.exit_code == 0, result.output
    assert simulator.state.pushes[-1]["mode"] == "plaintext"
    assert [kind for kind, _, _ in events(services, campaign)] == ["follow"]


def test_the_command_refuses_without_the_simulator(runner, app, campaign):
    result = runner.invoke(args=["wechat-sim", "follow", "--user", "eve"])
    assert result.exit_code != 0 and "WECHAT_SIMULATOR" in result.output


def test_the_simulator_page_pushes_from_its_form(services, sim_live_server, simulator, campaign):
    register(simulator, campaign, "compatible")
    page = requests.get(simulator.url + "/")
    assert 'data-screen="sim-console"' in page.text and campaign.account.app_id in page.text
    requests.post(
        simulator.url + "/sim/push",
        data={"app_id": campaign.account.app_id, "event": "subscribe", "user": "fay", "scene": "tea:table"},
    )
    assert [kind for kind, _, _ in events(services, campaign)] == ["follow"]
    state = requests.get(simulator.url + "/sim/state").json()
    assert state["users"][campaign.account.app_id]["fay"]["subscribed"] is True
