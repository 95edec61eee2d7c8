"""HubSpot's API limits: a rolling window (``TEN_SECONDLY_ROLLING`` by default) and a daily
limit that resets at midnight in the portal's time zone, their response headers and the 429
body. Pure arithmetic; the counters live in ``ecombridge.ratelimit.counters``.

The rolling window is a sliding window counter (the algorithm of the ``limits`` library's
``SlidingWindowCounterRateLimiter``): the count of the previous fixed window, weighted by how much
of it still overlaps the rolling window, plus the count of the current one. Two counters per
credential instead of a log of every request, exact whenever requests are spread evenly.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

from ecombridge.errors import ValidationFailed

_UNITS_MS = {"ms": 1, "s": 1000, "m": 60_000, "h": 3_600_000}
_RATE = re.compile(r"^\s*(\d+)\s*/\s*(\d*)\s*(ms|s|m|h)\s*$")
_POLICY_NAMES = {1000: "SECONDLY", 10_000: "TEN_SECONDLY_ROLLING"}


@dataclass(frozen=True)
class Limits:
    max_requests: int  # per window; 0: no rolling limit
    window_ms: int
    daily: int  # per day; 0: no daily limit

    @property
    def policy_name(self) -> str:
        return _POLICY_NAMES.get(self.window_ms, f"ROLLING_{self.window_ms}_MILLISECONDS")

    @property
    def secondly(self) -> int:
        """The deprecated ``X-HubSpot-RateLimit-Secondly``: the window's rate per second."""
        return max(1, math.ceil(self.max_requests * 1000 / self.window_ms))


def parse_rate(text: str) -> tuple[int, int]:
    """``190/10s`` -> (190, 10000); also ``100/s``, ``600/1m``, ``50/500ms``; ``0`` or ``off``:
    no limit."""
    if text.strip().lower() in ("0", "off", "none", ""):
        return 0, 10_000
    match = _RATE.match(text.lower())
    if match is None or int(match.group(2) or 1) == 0:
        raise ValidationFailed(
            f"ECOMBRIDGE_RATE_LIMIT: {text!r} is not a rate such as 190/10s (requests per "
            "window of ms, s, m or h), or off."
        )
    return int(match.group(1)), int(match.group(2) or 1) * _UNITS_MS[match.group(3)]


@dataclass(frozen=True)
class Counts:
    """A credential's counters after counting one more request."""

    previous: int  # in the previous fixed window
    current: int  # in the current fixed window, this request included
    daily: int  # today, this request included (0 when no daily limit applies)


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    remaining: int
    daily_remaining: int | None  # None: no daily limit for this caller
    exceeded: str | None = None  # the policy hit: "DAILY" or the window's name
    retry_after_ms: int = 0


def window_of(now_ms: int, window_ms: int) -> tuple[int, int]:
    """(index of the current fixed window, ms elapsed in it)."""
    return now_ms // window_ms, now_ms % window_ms


def weighted(counts: Counts, elapsed_ms: int, window_ms: int) -> float:
    return counts.previous * (window_ms - elapsed_ms) / window_ms + counts.current


def judge(limits: Limits, counts: Counts, now_ms: int, daily: bool, ms_to_midnight: int) -> Verdict:
    """Whether the request just counted is within the limits, and what the headers say."""
    daily_remaining = max(0, limits.daily - counts.daily) if daily else None
    if daily and counts.daily > limits.daily:
        return Verdict(False, 0, 0, "DAILY", ms_to_midnight)  # (0 left: the day is used up)
    if not limits.max_requests:
        return Verdict(True, 0, daily_remaining)
    _, elapsed = window_of(now_ms, limits.window_ms)
    load = weighted(counts, elapsed, limits.window_ms)
    if load <= limits.max_requests:
        remaining = max(0, math.floor(limits.max_requests - load))
        return Verdict(True, remaining, daily_remaining)
    wait = _wait_ms(limits, counts, elapsed)
    # A refused request is not counted.
    uncounted = None if daily_remaining is None else daily_remaining + 1
    return Verdict(False, 0, uncounted, limits.policy_name, wait)


def _wait_ms(limits: Limits, counts: Counts, elapsed: int) -> int:
    """How long until one more request fits (the rejected one is not counted)."""
    window, room = limits.window_ms, limits.max_requests - 1
    current = counts.current - 1
    if counts.previous and room - current >= 0:
        # The previous window's weight fades within the current window.
        fits_at = math.ceil(window * (1 - (room - current) / counts.previous))
        if fits_at < window:
            return max(1, fits_at - elapsed)
    # Only once the current window has become the previous one and faded enough.
    later = 0 if current <= room else math.ceil(window * (1 - room / current))
    return max(1, window - elapsed + later)


def headers(limits: Limits, verdict: Verdict) -> list[tuple[bytes, bytes]]:
    """The ``X-HubSpot-RateLimit-*`` headers; the daily ones only when a daily limit applies
    (HubSpot sent none to OAuth apps, which have no daily limit)."""
    values: list[tuple[str, int]] = []
    if limits.max_requests:
        values += [
            ("x-hubspot-ratelimit-interval-milliseconds", limits.window_ms),
            ("x-hubspot-ratelimit-max", limits.max_requests),
            ("x-hubspot-ratelimit-remaining", verdict.remaining),
            ("x-hubspot-ratelimit-secondly", limits.secondly),
            ("x-hubspot-ratelimit-secondly-remaining", min(limits.secondly, verdict.remaining)),
        ]
    if verdict.daily_remaining is not None:
        values += [
            ("x-hubspot-ratelimit-daily", limits.daily),
            ("x-hubspot-ratelimit-daily-remaining", verdict.daily_remaining),
        ]
    if not verdict.allowed:
        values.append(("retry-after", max(1, math.ceil(verdict.retry_after_ms / 1000))))
    return [(name.encode(), str(value).encode()) for name, value in values]


def rejection_body(verdict: Verdict, correlation: str, group: str) -> dict[str, Any]:
    """HubSpot's 429 body."""
    policy = verdict.exceeded or "DAILY"
    return {
        "status": "error",
        "message": f"You have reached your {policy.lower()} limit.",
        "errorType": "RATE_LIMIT",
        "correlationId": correlation,
        "policyName": policy,
        "groupName": group,
        "requestId": correlation.replace("-", ""),
        "category": "RATE_LIMITS",
    }
