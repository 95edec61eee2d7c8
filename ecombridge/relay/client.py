"""HTTP to a destination's CRM v3 API: through the outbound guard, inside its rate limits.

- Every request goes through ``GuardedTransport`` (``ECOMBRIDGE_WEBHOOK_ALLOW_PRIVATE`` decides
  whether private addresses may be called), with the destination's token as a Bearer token.
- A token bucket fed by the ``X-HubSpot-RateLimit-*`` headers spaces requests; a 429 is waited
  out (``Retry-After``, else the window) and sent again, up to ``MAX_RATE_WAIT_S`` in all.
- 5xx answers and connection errors are retried with exponential backoff and jitter
  (tenacity), then raised as ``TargetUnavailable``.
- 401/403 raise ``TargetRefused`` with the target's message (a revoked or wrong token).
- The daily cap: when ``X-HubSpot-RateLimit-Daily-Remaining`` reaches 0, ``DailyCapReached``.

``inner_transport`` lets tests record what is sent (the guard still applies).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

import httpx
import tenacity

from ecombridge.outbound.addresses import AddressPolicy, BlockedAddress
from ecombridge.outbound.transport import GuardedTransport
from ecombridge.relay.ratelimit import TokenBucket

TIMEOUT = httpx.Timeout(30.0, connect=5.0)
ATTEMPTS = 4
MAX_RATE_WAIT_S = 120.0

# Tests set this to a factory of the transport under the guard (to record requests).
inner_transport: Callable[[], httpx.BaseTransport] | None = None


class TargetError(Exception):
    """The target could not be used; ``message`` says why in the target's words."""

    def __init__(self, message: str, retry_after_s: float | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.retry_after_s = retry_after_s


class TargetRefused(TargetError):
    """401/403: the token is wrong, revoked or lacks a scope."""


class TargetUnavailable(TargetError):
    """5xx, connection failures or rate limits that outlasted the retries."""


class DailyCapReached(TargetError):
    """The portal's daily request allowance is used up."""


class _Transient(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def error_message(response: httpx.Response) -> str:
    """The target's ``message`` (HubSpot's error body), else its status and text."""
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict) and isinstance(body.get("message"), str):
        return str(body["message"])
    return f"HTTP {response.status_code}: {response.text[:300]}"


class TargetClient:
    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        bucket: TokenBucket | None = None,
        sleep: Callable[[float], None] = time.sleep,
        policy: AddressPolicy | None = None,
    ) -> None:
        inner = inner_transport() if inner_transport is not None else None
        self.http = httpx.Client(
            base_url=base_url.rstrip("/"),
            transport=GuardedTransport(policy or AddressPolicy.from_env(), inner),
            timeout=TIMEOUT,
            follow_redirects=False,
            trust_env=False,
            headers={"Authorization": f"Bearer {token}", "User-Agent": "ecombridge-relay"},
        )
        self.bucket = bucket or TokenBucket(sleep=sleep)
        self.sleep = sleep
        self.requests = 0
        self.rate_limited = 0

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> TargetClient:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def call(self, method: str, path: str, body: Any = None) -> httpx.Response:
        """Send one request; answers other than 401/403/429/5xx are returned as they are."""
        retrying = tenacity.Retrying(
            retry=tenacity.retry_if_exception_type(_Transient),
            wait=tenacity.wait_exponential_jitter(multiplier=0.5, max=8.0, jitter=0.5),
            stop=tenacity.stop_after_attempt(ATTEMPTS),
            sleep=self.sleep,
            reraise=True,
        )
        try:
            return retrying(self._rate_limited_call, method, path, body)
        except _Transient as exc:
            raise TargetUnavailable(exc.message) from None

    def _rate_limited_call(self, method: str, path: str, body: Any) -> httpx.Response:
        waited = 0.0
        while True:
            if self.bucket.daily_remaining == 0:
                raise DailyCapReached("The portal's daily API limit is used up.")
            self.bucket.acquire()
            response = self._send(method, path, body)
            self.bucket.observe(response.headers)
            if response.status_code != 429:
                break
            self.rate_limited += 1
            self.bucket.empty()
            pause = _retry_after(response)
            if waited + pause > MAX_RATE_WAIT_S:
                raise TargetUnavailable(error_message(response), retry_after_s=pause)
            waited += pause
            self.sleep(pause)
        if response.status_code in (401, 403):
            raise TargetRefused(error_message(response))
        if response.status_code >= 500:
            raise _Transient(error_message(response))
        return response

    def _send(self, method: str, path: str, body: Any) -> httpx.Response:
        self.requests += 1
        content = None if body is None else json.dumps(body, separators=(",", ":"))
        headers = {} if body is None else {"Content-Type": "application/json"}
        try:
            return self.http.request(method, path, content=content, headers=headers)
        except BlockedAddress as exc:
            raise TargetRefused(f"The destination's address may not be called: {exc}") from None
        except httpx.TransportError as exc:
            raise _Transient(f"The destination could not be reached: {exc}") from None


def _retry_after(response: httpx.Response) -> float:
    try:
        return max(0.1, float(response.headers["retry-after"]))
    except (KeyError, ValueError):
        interval = response.headers.get("x-hubspot-ratelimit-interval-milliseconds", "10000")
        return int(interval) / 1000 if interval.isdigit() else 10.0
