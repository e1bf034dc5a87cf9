"""The simulator's state: accounts, followers, codes, tokens and tickets, inspectable by tests.

Time comes from :attr:`SimState.clock` (``time.time`` unless a test moves it), so code
and token expiry can be tested without waiting.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

# Matches campaigns/demo.py so `make run` works without configuration.
DEMO_APP_ID = "wxdemo0000000001"
DEMO_APP_SECRET = "demo-app-secret-0000000000000001"
DEMO_TOKEN = "demotoken"
DEMO_AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
DEMO_SLUG = "demo-brand"

CODE_SECONDS = 300
TOKEN_SECONDS = 7200
# After a new access token is issued the previous one keeps working this long, as on WeChat.
TOKEN_GRACE_SECONDS = 300
PUSH_MODES = ("plaintext", "compatible", "aes")


@dataclass
class Token:
    """An access token or ticket and when it expires (epoch seconds)."""

    value: str
    expires_at: float


@dataclass
class SimAccount:
    """An Official Account as WeChat knows it; ``slug`` names the app's callback URL."""

    app_id: str
    secret: str | None = None
    token: str = ""
    aes_key: str = ""
    slug: str = ""
    mode: str = "aes"


@dataclass
class SimUser:
    """A simulated WeChat user of one account."""

    name: str
    openid: str
    unionid: str
    nickname: str
    avatar: str
    subscribed: bool = False
    subscribe_time: int = 0
    scene: str = ""
    refuses_notices: bool = False  # turned off service notices from this account


@dataclass
class Code:
    """A one-time OAuth code."""

    app_id: str
    user: str
    scope: str
    expires_at: float
    used: bool = False


@dataclass
class SnsToken:
    """An OAuth (``sns``) access or refresh token."""

    app_id: str
    user: str
    scope: str
    expires_at: float


@dataclass
class Misbehaviour:
    """Switches that make the simulator fail the way WeChat sometimes does."""

    rate_limit: int = 0  # answer the next N API calls with ``rate_errcode``
    rate_errcode: int = 45009
    slow_ms: int = 0  # delay every API answer
    drop_pushes: int = 0  # do not deliver the next N pushes
    expire_at_call: int = 0  # expire every access token when the API call count reaches this


def _digest(*parts: str, size: int) -> str:
    return hashlib.sha256(":".join(parts).encode()).hexdigest()[:size]


@dataclass
class SimState:
    """Everything the simulator remembers; guarded by one lock."""

    accounts: dict[str, SimAccount] = field(
        default_factory=lambda: {
            DEMO_APP_ID: SimAccount(DEMO_APP_ID, DEMO_APP_SECRET, DEMO_TOKEN, DEMO_AES_KEY, DEMO_SLUG)
        }
    )
    # Accounts not registered are learnt on first use (their secret from the first token request).
    learn_accounts: bool = True
    users: dict[str, dict[str, SimUser]] = field(default_factory=dict)
    codes: dict[str, Code] = field(default_factory=dict)
    sns_tokens: dict[str, SnsToken] = field(default_factory=dict)
    refresh_tokens: dict[str, SnsToken] = field(default_factory=dict)
    tokens: dict[str, Token] = field(default_factory=dict)
    previous_tokens: dict[str, Token] = field(default_factory=dict)
    tickets: dict[str, Token] = field(default_factory=dict)
    qrcodes: dict[str, dict] = field(default_factory=dict)
    follow_log: list[dict] = field(default_factory=list)
    pushes: list[dict] = field(default_factory=list)
    # Each follower's conversation with the account: {app_id: {openid: [message, ...]}}.
    chats: dict[str, dict[str, list[dict]]] = field(default_factory=dict)
    # The custom menu of each account as menu/create took it.
    menus: dict[str, dict] = field(default_factory=dict)
    # Template messages (service notices) accepted by message/template/send.
    templates: list[dict] = field(default_factory=list)
    msg_ids: int = 7_000_000_000_000_000_000
    misbehave: Misbehaviour = field(default_factory=Misbehaviour)
    token_requests: int = 0
    api_calls: int = 0
    clock: Callable[[], float] = time.time
    lock: threading.RLock = field(default_factory=threading.RLock)

    def account(self, app_id: str) -> SimAccount | None:
        """The account ``app_id``, learnt on first sight when allowed."""
        with self.lock:
            if app_id not in self.accounts and self.learn_accounts and app_id.startswith("wx"):
                self.accounts[app_id] = SimAccount(app_id)
            return self.accounts.get(app_id)

    def register(self, app_id: str, **fields) -> SimAccount:
        """Create or update an account (secret, token, aes_key, slug, mode)."""
        with self.lock:
            account = self.accounts.setdefault(app_id, SimAccount(app_id))
            for name, value in fields.items():
                if value is not None and hasattr(account, name):
                    setattr(account, name, value)
            return account

    def user(self, app_id: str, name: str) -> SimUser:
        """The user ``name`` of ``app_id``, created on first use with stable ids."""
        with self.lock:
            users = self.users.setdefault(app_id, {})
            if name not in users:
                users[name] = SimUser(
                    name=name,
                    openid="o" + _digest(app_id, name, size=27),
                    unionid="u" + _digest(name, size=27),
                    nickname=name,
                    avatar=f"https://thirdwx.qlogo.cn/mmopen/sim/{_digest(name, size=16)}/132",
                )
            return users[name]

    def by_openid(self, app_id: str, openid: str) -> SimUser | None:
        """The user of ``app_id`` with ``openid``."""
        with self.lock:
            return next((u for u in self.users.get(app_id, {}).values() if u.openid == openid), None)

    def issue_code(self, app_id: str, user: str, scope: str) -> str:
        """A one-time OAuth code, valid five minutes."""
        with self.lock:
            code = secrets.token_urlsafe(24)
            self.codes[code] = Code(app_id, user, scope, self.clock() + CODE_SECONDS)
            return code

    def issue_token(self, app_id: str, ttl: int = TOKEN_SECONDS) -> Token:
        """A new access token for ``app_id``; the previous one keeps working a short while."""
        with self.lock:
            self.token_requests += 1
            current = self.tokens.get(app_id)
            if current is not None and current.expires_at > self.clock():
                self.previous_tokens[app_id] = Token(
                    current.value, min(current.expires_at, self.clock() + TOKEN_GRACE_SECONDS)
                )
            token = Token(secrets.token_urlsafe(48), self.clock() + ttl)
            self.tokens[app_id] = token
            return token

    def check_token(self, value: str) -> tuple[str | None, int]:
        """``(app_id, 0)`` for a valid access token, else ``(None, errcode)`` (40001 or 42001)."""
        with self.lock:
            now = self.clock()
            for source in (self.tokens, self.previous_tokens):
                for app_id, token in source.items():
                    if value and token.value == value:
                        return (app_id, 0) if token.expires_at > now else (None, 42001)
            return None, 40001

    def expire_token(self, app_id: str) -> None:
        """Make the account's access tokens expire now (WeChat sometimes does)."""
        with self.lock:
            for source in (self.tokens, self.previous_tokens):
                if app_id in source:
                    source[app_id].expires_at = self.clock() - 1

    def ticket(self, app_id: str, kind: str) -> Token:
        """The account's current JS-SDK ticket of ``kind``, renewed when expired."""
        with self.lock:
            key = f"{app_id}:{kind}"
            current = self.tickets.get(key)
            if current is None or current.expires_at <= self.clock():
                current = self.tickets[key] = Token(secrets.token_urlsafe(60), self.clock() + TOKEN_SECONDS)
            return current

    def set_following(self, app_id: str, name: str, following: bool, scene: str = "") -> SimUser:
        """Record a follow or unfollow of ``name`` (what the push will announce)."""
        with self.lock:
            user = self.user(app_id, name)
            user.subscribed, user.scene = following, scene if following else ""
            user.subscribe_time = int(self.clock()) if following else user.subscribe_time
            self.follow_log.append(
                {"app_id": app_id, "openid": user.openid, "follow": following, "scene": scene, "at": int(self.clock())}
            )
            return user

    def add_chat(self, app_id: str, openid: str, message: dict) -> None:
        """Append a message to a follower's conversation (the simulator's phone page shows it)."""
        with self.lock:
            self.chats.setdefault(app_id, {}).setdefault(openid, []).append(message)

    def next_msg_id(self) -> int:
        """A new 64-bit MsgId, as WeChat gives each message."""
        with self.lock:
            self.msg_ids += 1
            return self.msg_ids

    def snapshot(self) -> dict:
        """The whole state as JSON-ready data (secrets included: this is a test double)."""
        with self.lock:
            now = self.clock()
            return {
                "accounts": {k: asdict(v) for k, v in self.accounts.items()},
                "users": {app: {n: asdict(u) for n, u in users.items()} for app, users in self.users.items()},
                "codes": {c: {**asdict(v), "expires_in": round(v.expires_at - now)} for c, v in self.codes.items()},
                "tokens": {
                    k: {"value": v.value, "expires_in": round(v.expires_at - now)} for k, v in self.tokens.items()
                },
                "qrcodes": dict(self.qrcodes),
                "pushes": list(self.pushes),
                "chats": {app: {o: list(m) for o, m in chats.items()} for app, chats in self.chats.items()},
                "menus": dict(self.menus),
                "templates": list(self.templates),
                "misbehave": asdict(self.misbehave),
                "token_requests": self.token_requests,
                "api_calls": self.api_calls,
            }
