"""The arithmetic of HubSpot's limits: rates as configured, the rolling window's verdicts,
when to retry, and the headers."""

from __future__ import annotations

import pytest

from ecombridge.errors import ValidationFailed
from ecombridge.ratelimit.policy import Counts, Limits, headers, judge, parse_rate

W = 10_000
LIMITS = Limits(max_requests=3, window_ms=W, daily=100)


@pytest.mark.parametrize(
    ("text", "parsed"),
    [("190/10s", (190, 10_000)), ("100/s", (100, 1000)), ("600/1m", (600, 60_000)),
     ("50/500ms", (50, 500)), ("off", (0, 10_000)), ("0", (0, 10_000))],
)  # fmt: skip
def test_rates(text: str, parsed: tuple[int, int]) -> None:
    assert parse_rate(text) == parsed


@pytest.mark.parametrize("text", ["190", "10/0s", "x/10s", "190/10d", "-1/10s"])
def test_bad_rates_say_what_is_expected(text: str) -> None:
    with pytest.raises(ValidationFailed, match="190/10s"):
        parse_rate(text)


def test_within_the_window() -> None:
    verdict = judge(LIMITS, Counts(previous=0, current=3, daily=3), 5 * W + 100, True, 1000)
    assert (verdict.allowed, verdict.remaining, verdict.daily_remaining) == (True, 0, 97)


def test_over_the_window_waits_until_the_window_moves_on() -> None:
    # Three requests early in this window: the fourth fits once they are a third of a window
    # into the past of the next one (rolling: they still weigh 3 when this window ends).
    verdict = judge(LIMITS, Counts(previous=0, current=4, daily=4), 5 * W + 1000, True, 10**7)
    assert (verdict.allowed, verdict.exceeded) == (False, "TEN_SECONDLY_ROLLING")
    assert verdict.retry_after_ms == W - 1000 + 3334


def test_the_previous_window_fades() -> None:
    # Three requests in the previous window: 40% into this one they still weigh 1.8.
    at = 5 * W + 4000
    assert judge(LIMITS, Counts(3, 2, 5), at, True, 10**7).allowed is False
    assert judge(LIMITS, Counts(3, 1, 5), at, True, 10**7).allowed is True
    # Rejected with one request in this window: fits once the old ones weigh at most 1.
    assert judge(LIMITS, Counts(3, 2, 5), at, True, 10**7).retry_after_ms == 6667 - 4000


def test_the_daily_limit_waits_until_midnight() -> None:
    verdict = judge(LIMITS, Counts(0, 1, 101), W, True, 3_600_000)
    assert (verdict.allowed, verdict.exceeded, verdict.retry_after_ms) == (
        False,
        "DAILY",
        3_600_000,
    )
    assert judge(LIMITS, Counts(0, 1, 10**6), W, False, 0).allowed is True  # no daily limit


def test_headers() -> None:
    verdict = judge(LIMITS, Counts(0, 1, 1), W, True, 1000)
    assert dict(headers(LIMITS, verdict)) == {
        b"x-hubspot-ratelimit-interval-milliseconds": b"10000",
        b"x-hubspot-ratelimit-max": b"3",
        b"x-hubspot-ratelimit-remaining": b"2",
        b"x-hubspot-ratelimit-secondly": b"1",
        b"x-hubspot-ratelimit-secondly-remaining": b"1",
        b"x-hubspot-ratelimit-daily": b"100",
        b"x-hubspot-ratelimit-daily-remaining": b"99",
    }
    no_daily = judge(LIMITS, Counts(0, 1, 0), W, False, 1000)
    assert b"x-hubspot-ratelimit-daily" not in dict(headers(LIMITS, no_daily))
