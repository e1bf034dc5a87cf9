"""The simulator's state: accounts, followers, codes and tokens, inspectable by tests."""
from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass, field

# Matches campaigns/demo.py so `make run` works without configuration.
DEMO_APP_ID = "wxdemo0000000001"
DEMO_APP_SECRET = "demo-app-secret-0000000000000001"


@dataclass
class Token:
    value: str
    expires_at: float


@dataclass
class SimState:
    """Everything the simulator remembers; guarded by one lock."""

    accounts: dict[str, str] = field(default_factory=lambda: {DEMO_APP_ID: DEMO_APP_SECRET})
    tokens: dict[str, Token] = field(default_factory=dict)
    token_requests: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def issue_token(self, app_id: str, ttl: int = 7200) -> Token:
        """A new access token for ``app_id``, replacing the previous one."""
        with self.lock:
            self.token_requests += 1
            token = Token(secrets.token_urlsafe(48), time.time() + ttl)
            self.tokens[app_id] = token
            return token
