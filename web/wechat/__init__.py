"""WeChat's doors into the app, one module each: follower OAuth login (``oauth``), the message
push webhook (``webhook``) and the JS-SDK's signed config and scripts (``jssdk``)."""

from flask import Blueprint

bp = Blueprint("wechat", __name__)

from . import jssdk, oauth, webhook  # noqa: E402,F401 - register the views on the blueprint
