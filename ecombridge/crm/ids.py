"""Object ids as paths and bodies send them."""

from __future__ import annotations

import re

from ecombridge.limits import MAX_BIGINT

_DIGITS = re.compile(r"[0-9]{1,19}")


def digits(raw: str | int) -> int | None:
    """A non-negative integer that fits a BIGINT, or None."""
    text = str(raw).strip()
    if not _DIGITS.fullmatch(text) or int(text) > MAX_BIGINT:
        return None
    return int(text)


def parse_object_id(raw: str) -> int | None:
    """An object id; None when it cannot name an object (not a number, or out of range)."""
    return digits(raw)
