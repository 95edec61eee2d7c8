"""What a call needs on the wire: method, path, query, body, which credential, retry policy."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from ecombridge.client._exceptions import ConfigurationError

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


class Auth(Enum):
    """Which credential a call presents (reference §2.2)."""

    DEFAULT = "default"  # a token if the client has one, else the portal API key
    PORTAL = "portal"  # the portal API key if the client has one, else a token
    DEVELOPER = "developer"  # the developer API key (+ appId, added by the call)
    TOKEN = "token"  # an access token (installed app) or private-app token


@dataclass(frozen=True)
class Credentials:
    api_key: str | None = None
    developer_api_key: str | None = None
    app_id: int | None = None
    access_token: str | None = None
    private_app_token: str | None = None

    @property
    def token(self) -> str | None:
        return self.access_token or self.private_app_token

    def apply(self, auth: Auth) -> tuple[dict[str, str], dict[str, str]]:
        """Query parameters and headers that authenticate a call."""
        if auth is Auth.DEVELOPER:
            if not self.developer_api_key:
                raise ConfigurationError("This call needs a developer API key (developer_api_key).")
            return {"hapikey": self.developer_api_key}, {}
        if auth is Auth.TOKEN:
            if not self.token:
                raise ConfigurationError("This call needs an app's access token (access_token).")
            return {}, {"Authorization": f"Bearer {self.token}"}
        prefer_key = auth is Auth.PORTAL
        if prefer_key and self.api_key:
            return {"hapikey": self.api_key}, {}
        if self.token:
            return {}, {"Authorization": f"Bearer {self.token}"}
        if self.api_key:
            return {"hapikey": self.api_key}, {}
        raise ConfigurationError(
            "No credentials: pass api_key, access_token or private_app_token to the client."
        )


@dataclass(frozen=True)
class Call:
    method: str
    path: str
    auth: Auth = Auth.DEFAULT
    params: dict[str, Any] = field(default_factory=dict)
    json: Any = None
    # PUT/GET/DELETE are idempotent (the sync PUTs too: last writer wins); POST is not.
    retryable: bool | None = None

    @property
    def may_retry(self) -> bool:
        return self.retryable if self.retryable is not None else self.method != "POST"

    def query(self, auth_params: dict[str, str]) -> dict[str, str]:
        query: dict[str, str] = {}
        for key, value in self.params.items():
            if value is None:
                continue
            query[key] = ("true" if value else "false") if isinstance(value, bool) else str(value)
        query.update(auth_params)
        return query


@dataclass(frozen=True)
class Retry:
    """Exponential backoff with jitter on 429, 5xx and connection errors.

    ``max_retries=0`` disables retries. A ``Retry-After`` header is honoured (up to
    ``max_retry_after`` seconds) instead of the computed backoff.
    """

    max_retries: int = 3
    backoff_factor: float = 0.5
    max_backoff: float = 30.0
    jitter: float = 0.25
    max_retry_after: float = 120.0

    def delay(self, attempt: int, retry_after: float | None = None) -> float:
        if retry_after is not None:
            return min(retry_after, self.max_retry_after)
        base: float = min(self.max_backoff, self.backoff_factor * 2.0**attempt)
        spread = base * self.jitter
        return max(0.0, base + random.uniform(-spread, spread))
