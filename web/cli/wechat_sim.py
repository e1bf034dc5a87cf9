"""``flask wechat-sim follow|scan|unfollow|misbehave``: drive the local WeChat simulator.

The simulator is reached at ``WECHAT_API_BASE``; these commands refuse to run unless
``WECHAT_SIMULATOR=1``, so an account's secrets are never sent anywhere but the simulator.
"""

from __future__ import annotations

import click
import requests
from flask import current_app
from sqlalchemy import select

from campaigns.catalog.models import OfficialAccount
from campaigns.wechat.accounts import credentials
from extensions import db
from web.services import services

from .groups import wechat_sim_cli


def _simulator() -> str:
    if not current_app.config.get("WECHAT_SIMULATOR"):
        raise click.ClickException("WECHAT_SIMULATOR is not 1: these commands only talk to the local simulator.")
    return current_app.config["WECHAT_API_BASE"]


def _account(slug: str | None) -> OfficialAccount:
    query = select(OfficialAccount).order_by(OfficialAccount.id)
    if slug:
        query = query.where(OfficialAccount.slug == slug)
    account = db.session.scalar(query)
    if account is None:
        raise click.ClickException(f"no Official Account {slug or ''}".strip())
    return account


def _post(path: str, payload: dict) -> dict:
    try:
        answer = requests.post(_simulator() + path, json=payload, timeout=15)
        return answer.json()
    except (requests.RequestException, ValueError) as exc:
        raise click.ClickException(f"the simulator at {_simulator()} did not answer: {exc}") from None


def _push(account_slug: str | None, user: str, event: str, scene: str, repeat: int) -> None:
    account = _account(account_slug)
    creds = credentials(services().secrets, account)
    # The simulator learns the account as the app knows it, so its pushes verify.
    _post(
        "/sim/accounts",
        {
            "app_id": creds.app_id,
            "secret": creds.app_secret,
            "token": creds.token,
            "aes_key": creds.aes_key,
            "slug": account.slug,
        },
    )
    result = _post(
        "/sim/push", {"app_id": creds.app_id, "user": user, "event": event, "scene": scene, "repeat": repeat}
    )
    if result.get("errcode"):
        raise click.ClickException(f"the simulator refused: {result}")
    answers = ", ".join(f"{a['status']} {a['body']!r} in {a['ms']} ms" for a in result.get("answers", []))
    click.echo(
        f"{event} of {user} ({result.get('openid')}) to {account.slug}: {result['status']}"
        + (f" [{answers}]" if answers else "")
    )
    if result["status"] not in ("delivered", "dropped"):
        raise SystemExit(1)


@wechat_sim_cli.command("follow")
@click.option("--user", required=True, help="The simulated follower's name.")
@click.option("--scene", default="", help="The QR scene, e.g. a channel's scene; empty for a plain follow.")
@click.option("--account", "account_slug", default=None, help="The Official Account's slug (default: the first).")
@click.option("--repeat", default=1, show_default=True, help="Deliver it this many times, as WeChat's retries do.")
def follow(user: str, scene: str, account_slug: str | None, repeat: int) -> None:
    """Push a subscribe event (the user follows the account, maybe by a QR scene)."""
    _push(account_slug, user, "subscribe", scene, repeat)


@wechat_sim_cli.command("scan")
@click.option("--user", required=True)
@click.option("--scene", required=True)
@click.option("--account", "account_slug", default=None)
def scan(user: str, scene: str, account_slug: str | None) -> None:
    """Push a SCAN event (a follower scans a QR code)."""
    _push(account_slug, user, "SCAN", scene, 1)


@wechat_sim_cli.command("unfollow")
@click.option("--user", required=True)
@click.option("--account", "account_slug", default=None)
def unfollow(user: str, account_slug: str | None) -> None:
    """Push an unsubscribe event."""
    _push(account_slug, user, "unsubscribe", "", 1)


@wechat_sim_cli.command("misbehave")
@click.option("--expire-token", "expire_token", is_flag=True, help="Expire the account's access token now.")
@click.option("--rate-limit", type=int, default=None, help="Answer the next N API calls with 45009.")
@click.option("--slow-ms", type=int, default=None, help="Delay every API answer.")
@click.option("--drop-pushes", type=int, default=None, help="Do not deliver the next N pushes.")
@click.option("--account", "account_slug", default=None)
def misbehave(
    expire_token: bool, rate_limit: int | None, slow_ms: int | None, drop_pushes: int | None, account_slug: str | None
) -> None:
    """Make the simulator misbehave the way WeChat sometimes does."""
    payload = {"rate_limit": rate_limit, "slow_ms": slow_ms, "drop_pushes": drop_pushes}
    payload = {k: v for k, v in payload.items() if v is not None}
    if expire_token:
        payload["expire_token"] = _account(account_slug).app_id
    click.echo(_post("/sim/misbehave", payload))
