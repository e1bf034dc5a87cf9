"""The wechatpy client, bent to follow the configured base URLs and share its token.

wechatpy 1.8.18 hard-codes ``https://api.weixin.qq.com`` (token URL, some API groups)
and ``https://mp.weixin.qq.com`` (QR images); every URL is rebased here onto
``WECHAT_API_BASE`` / ``WECHAT_MP_BASE``. Its ``auto_retry`` recurses without limit on
token errors, so it is off and :meth:`CampaignClient._request` retries exactly once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import requests
from wechatpy import WeChatClient
from wechatpy.client.api import WeChatJSAPI, WeChatQRCode
from wechatpy.exceptions import WeChatClientException

from ..errors import Busy, CampaignError, WeChatError
from ..keys import WeChatKeys
from .accounts import Credentials, credentials
from .shared import get_or_fetch, invalidate

WECHAT_API = "https://api.weixin.qq.com"
WECHAT_MP = "https://mp.weixin.qq.com"
# 40001 invalid credential, 40014 invalid token, 42001 token expired: refresh once and retry.
TOKEN_ERRORS = frozenset({40001, 40014, 42001})
# 45009 daily quota reached, 45011 calling too often: the same to our users, try later.
RATE_ERRORS = frozenset({45009, 45011})
TIMEOUT_SECONDS = 4.0


@dataclass(frozen=True)
class Bases:
    """Where WeChat is: the real one, or the simulator."""

    api: str = WECHAT_API
    open: str = "https://open.weixin.qq.com"
    mp: str = WECHAT_MP

    @classmethod
    def from_settings(cls, settings: dict[str, Any]) -> Bases:
        """The bases named by ``WECHAT_API_BASE`` / ``WECHAT_OPEN_BASE`` / ``WECHAT_MP_BASE``."""
        return cls(
            api=settings.get("WECHAT_API_BASE", WECHAT_API).rstrip("/"),
            open=settings.get("WECHAT_OPEN_BASE", cls.open).rstrip("/"),
            mp=settings.get("WECHAT_MP_BASE", WECHAT_MP).rstrip("/"),
        )

    def rebase(self, url: str) -> str:
        """``url`` with WeChat's own hosts replaced by the configured ones."""
        for real, configured in ((WECHAT_API, self.api), (WECHAT_MP, self.mp)):
            if url.startswith(real + "/"):
                return configured + url[len(real) :]
        return url


class TimeoutSession(requests.Session):
    """A requests session with a default timeout (wechatpy's token fetch passes none)."""

    def __init__(self, timeout: float):
        super().__init__()
        self.default_timeout = timeout

    def request(self, method, url, **kwargs):
        """Send the request, with the default timeout unless one is given."""
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = self.default_timeout
        return super().request(method, url, **kwargs)


class CampaignQRCode(WeChatQRCode):
    """QR codes whose image URL follows ``WECHAT_MP_BASE``."""

    def get_url(self, ticket: str) -> str:  # wechatpy's is a classmethod with a fixed host
        """The showqrcode URL of ``ticket``."""
        return f"{self._client.bases.mp}/cgi-bin/showqrcode?ticket={quote(ticket, safe='')}"

    def show(self, ticket: str) -> requests.Response:
        """Fetch the QR image of ``ticket``."""
        return self._client._http.get(self.get_url(ticket))


class SharedTicketJSAPI(WeChatJSAPI):
    """JS-SDK tickets cached in Redis beside the token (wechatpy keeps them per client object)."""

    def _shared(self, key: str, kind: str) -> str:
        def fetch() -> tuple[str, int]:
            """Ask WeChat for a new ticket of ``kind``."""
            result = self.get_ticket(kind)
            return result["ticket"], int(result.get("expires_in", 7200))

        return get_or_fetch(self._client.redis, key, fetch)

    def get_jsapi_ticket(self) -> str:
        """The shared ``jsapi_ticket`` for ``wx.config``."""
        return self._shared(self._client.keys.jsapi_ticket, "jsapi")

    def get_jsapi_card_ticket(self) -> str:
        """The shared ``wx_card`` api_ticket for card signatures."""
        return self._shared(self._client.keys.card_ticket, "wx_card")


class CampaignClient(WeChatClient):
    """A wechatpy client whose access token and tickets live in Redis, shared by every process."""

    qrcode = CampaignQRCode()
    jsapi = SharedTicketJSAPI()

    def __init__(self, creds: Credentials, redis, bases: Bases, timeout: float = TIMEOUT_SECONDS):
        super().__init__(creds.app_id, creds.app_secret, timeout=timeout, auto_retry=False)
        self._http = TimeoutSession(timeout)
        self.redis = redis
        self.bases = bases
        self.keys = WeChatKeys(creds.app_id)

    @property
    def access_token(self) -> str:
        """The shared access token, fetched by one process when missing."""
        return get_or_fetch(self.redis, self.keys.access_token, self._new_token)

    def fetch_access_token(self) -> dict:
        """Ask WeChat for a new access token (``cgi-bin/token`` under ``WECHAT_API_BASE``)."""
        return self._fetch_access_token(
            url=f"{self.bases.api}/cgi-bin/token",
            params={"grant_type": "client_credential", "appid": self.appid, "secret": self.secret},
        )

    def _new_token(self) -> tuple[str, int]:
        result = self.fetch_access_token()
        return result["access_token"], int(result.get("expires_in", 7200))

    def _request(self, method, url_or_endpoint, **kwargs):
        if not url_or_endpoint.startswith(("http://", "https://")):
            url_or_endpoint = kwargs.pop("api_base_url", self.API_BASE_URL) + url_or_endpoint
        url = self.bases.rebase(url_or_endpoint)
        explicit = dict(kwargs.get("params") or {}).get("access_token")
        token = explicit or self.access_token
        try:
            return self._send(method, url, token, kwargs)
        except WeChatClientException as exc:
            if explicit or exc.errcode not in TOKEN_ERRORS:
                raise
            # One refresh and one retry. The compare-and-delete keeps a token another process
            # already refreshed, so a burst of token errors in many processes causes one fetch.
            invalidate(self.redis, self.keys.access_token, token)
        return self._send(method, url, self.access_token, kwargs)

    def _send(self, method: str, url: str, token: str, kwargs: dict):
        params = {**(kwargs.get("params") or {}), "access_token": token}
        return super()._request(method, url, **{**kwargs, "params": params})


def client_for(services, account) -> CampaignClient:
    """A client for ``account`` using the services' Redis, secret box and settings."""
    return CampaignClient(
        credentials(services.secrets, account), services.redis, Bases.from_settings(services.settings)
    )


def translate(exc: Exception) -> CampaignError:
    """The user-facing error for a failure talking to WeChat."""
    if isinstance(exc, WeChatClientException) and exc.errcode in RATE_ERRORS:
        return Busy("WeChat is busy right now; please try again in a moment.")
    if isinstance(exc, (requests.RequestException, OSError)):
        return Busy("WeChat cannot be reached right now; please try again in a moment.")
    if isinstance(exc, CampaignError):
        return exc
    return WeChatError(f"WeChat refused the request ({getattr(exc, 'errcode', '?')}).")
