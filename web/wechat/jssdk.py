"""The JS-SDK on the game pages: the signed ``wx.config`` and the scripts to load."""

from __future__ import annotations

from flask import current_app, jsonify, request

from campaigns.catalog.services import get_by_slug
from campaigns.errors import InvalidInput
from campaigns.wechat.jssdk import wx_config
from extensions import db
from web.services import services

from . import bp


@bp.get("/c/<slug>/wx-config")
def js_sdk_config(slug: str):
    """The signed ``wx.config`` argument for a page of this app (``?url=`` the page's URL)."""
    campaign = get_by_slug(db.session, slug)
    url = request.args.get("url", "")
    if not url.startswith(current_app.config["PUBLIC_URL"] + "/"):
        raise InvalidInput("The page URL must be a page of this site.", fields={"url": "invalid"})
    svc = services()
    return jsonify(wx_config(svc, campaign.account, url, svc.clock.now()))


def jssdk_scripts(config) -> list[str]:
    """The JS-SDK scripts the game pages load: WeChat's, or the simulator's stand-ins in the demo."""
    if config.get("WECHAT_SIMULATOR"):
        base = config["WECHAT_API_BASE"]
        return [f"{base}/sim/jweixin.js", f"{base}/sim/cards.js"]
    return [config["WECHAT_JSSDK_URL"]]


@bp.app_context_processor
def page_context() -> dict:
    """Templates may load the JS-SDK scripts (the game pages do, deferred)."""
    return {"jssdk_scripts": jssdk_scripts(current_app.config)}
