"""The "open this in WeChat" page a game shows outside WeChat's browser, with the page's QR code."""

from __future__ import annotations

import base64
import io

import qrcode
import qrcode.image.svg
from flask import Response, current_app, render_template, request

from campaigns.catalog.models import Campaign


def _qr_data_uri(text: str) -> str:
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=10, border=2)
    buffer = io.BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def outside_wechat(campaign: Campaign) -> Response | None:
    """The "open this in WeChat" page outside WeChat's browser (unless the simulator is on); else None."""
    if current_app.config.get("WECHAT_SIMULATOR") or "MicroMessenger" in request.headers.get("User-Agent", ""):
        return None
    page_url = current_app.config["PUBLIC_URL"] + request.path
    body = render_template(
        "wechat/open_in_wechat.html", campaign=campaign, page_url=page_url, qr=_qr_data_uri(page_url)
    )
    return Response(body, status=200, mimetype="text/html")
