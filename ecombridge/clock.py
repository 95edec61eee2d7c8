"""Time as the bridge stores it: epoch milliseconds, and the ISO-8601 text HubSpot's APIs show."""

import time
from datetime import UTC, date, datetime


def now_ms() -> int:
    return time.time_ns() // 1_000_000


def iso_ms(ms: int) -> str:
    """2024-01-02T03:04:05.678Z"""
    moment = datetime.fromtimestamp(ms // 1000, UTC)
    return f"{moment:%Y-%m-%dT%H:%M:%S}.{ms % 1000:03d}Z"


def parse_iso_ms(text: str) -> int:
    """Epoch ms of an ISO-8601 date (midnight UTC) or date-time (UTC when it names no offset).

    Raises ValueError for anything else; callers word the error for their field.
    """
    text = text.strip()
    if len(text) == 10:
        day = date.fromisoformat(text)
        moment = datetime(day.year, day.month, day.day, tzinfo=UTC)
    else:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp() * 1000)
