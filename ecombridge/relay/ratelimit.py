"""A token bucket fed by the target's ``X-HubSpot-RateLimit-*`` headers, so the relay stays
under the portal's limit instead of discovering it through 429s.

Until the first answer the bucket assumes HubSpot's private-app default (190 per 10 s). Each
answer sets the window (``-Max`` per ``-Interval-Milliseconds``) and lowers the tokens to
``-Remaining`` when the target counts fewer than we do (other clients share the limit).
"""

from __future__ import annotations

import time
from collections.abc import Callable

import httpx

DEFAULT_MAX, DEFAULT_INTERVAL_MS = 190, 10_000


def _int(headers: httpx.Headers, name: str) -> int | None:
    try:
        return int(headers[name])
    except (KeyError, ValueError):
        return None


class TokenBucket:
    def __init__(
        self,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.clock, self.sleep = clock, sleep
        self.capacity = float(DEFAULT_MAX)
        self.rate = DEFAULT_MAX / (DEFAULT_INTERVAL_MS / 1000)  # tokens per second
        self.tokens = self.capacity
        self.stamp = clock()
        self.daily_remaining: int | None = None

    def _refill(self) -> None:
        now = self.clock()
        self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now

    def acquire(self) -> None:
        """Take a token, waiting for one to refill when there is none."""
        self._refill()
        if self.tokens < 1:
            self.sleep((1 - self.tokens) / self.rate)
            self._refill()
        self.tokens -= 1

    def observe(self, headers: httpx.Headers) -> None:
        """Learn the window and what remains of it from an answer's headers."""
        most = _int(headers, "x-hubspot-ratelimit-max")
        interval = _int(headers, "x-hubspot-ratelimit-interval-milliseconds")
        remaining = _int(headers, "x-hubspot-ratelimit-remaining")
        if most and interval:
            self.capacity = float(most)
            self.rate = most / (interval / 1000)
        if remaining is not None:
            self._refill()
            self.tokens = min(self.tokens, float(remaining))
        daily = _int(headers, "x-hubspot-ratelimit-daily-remaining")
        if daily is not None:
            self.daily_remaining = daily

    def empty(self) -> None:
        """A 429 came: what the bucket thought it had was wrong."""
        self._refill()
        self.tokens = min(self.tokens, 0.0)
