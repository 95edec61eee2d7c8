"""How values read on pages: money with its currency, dates in the portal's time zone with
relative time, counts, percentages. Formatting is babel's (CLDR data), in one locale.

A ``Formatter`` is made per request from the signed-in portal's time zone and currency; templates
reach it as ``fmt``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel.dates import format_date, format_datetime, format_timedelta
from babel.numbers import (
    format_compact_currency,
    format_compact_decimal,
    format_currency,
    format_decimal,
    format_percent,
)
from markupsafe import Markup, escape

LOCALE = "en_US"
DASH = "—"
EN_DASH = "\u2013"  # ranges of numbers and days
MINUS = "\u2212"  # a falling change
_CURRENCY = re.compile(r"^[A-Z]{3}$")
# Epoch milliseconds babel and datetime can show (years 1 to 9999).
_MIN_MS, _MAX_MS = -62_135_596_800_000, 253_402_300_799_000


def to_number(value: Any) -> float | None:
    """A property value as a number, or None when it is empty or not numeric."""
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if number == number and abs(number) != float("inf") else None


def to_moment(value: Any) -> datetime | None:
    """Epoch milliseconds (number or numeric string) or an ISO 8601 text as an aware datetime."""
    number = to_number(value)
    if number is not None:
        if not _MIN_MS <= number <= _MAX_MS:
            return None
        return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(milliseconds=int(number))
    if isinstance(value, str) and value:
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    return None


def zone(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


@dataclass(frozen=True)
class Formatter:
    time_zone: str = "UTC"
    currency: str = "USD"
    now_ms: int = 0

    @property
    def tz(self) -> ZoneInfo:
        return zone(self.time_zone)

    def currency_of(self, code: Any = None) -> str:
        """The record's own currency when it names a valid one, else the portal's."""
        text = str(code).strip().upper() if code else ""
        return text if _CURRENCY.match(text) else self.currency

    # --- numbers -------------------------------------------------------------------------------

    def money(self, value: Any, currency: Any = None) -> str:
        number = to_number(value)
        if number is None:
            return DASH
        return format_currency(number, self.currency_of(currency), locale=LOCALE)

    def money_short(self, value: float, currency: Any = None) -> str:
        """Compact money for chart axes: $1.2M, €950."""
        code = self.currency_of(currency)
        if abs(value) < 1000:
            return format_currency(
                value, code, format="¤#,##0", locale=LOCALE, currency_digits=False
            )
        return format_compact_currency(value, code, fraction_digits=1, locale=LOCALE)

    def number(self, value: Any) -> str:
        number = to_number(value)
        if number is None:
            return DASH if value in (None, "") else str(value)
        return format_decimal(number, format="#,##0.##", locale=LOCALE)

    def number_short(self, value: float) -> str:
        return format_compact_decimal(value, fraction_digits=1, locale=LOCALE)

    def count(self, value: Any) -> str:
        number = to_number(value)
        return DASH if number is None else format_decimal(int(number), locale=LOCALE)

    def percent(self, ratio: float | None, digits: int = 1) -> str:
        if ratio is None:
            return DASH
        pattern = "#,##0." + "0" * digits + "%" if digits else "#,##0%"
        return format_percent(ratio, format=pattern, locale=LOCALE)

    def change(self, current: float, previous: float | None) -> str | None:
        """A signed percentage change against the previous period, or None without a base."""
        if previous is None or previous == 0:
            return None
        ratio = (current - previous) / abs(previous)
        sign = "+" if ratio > 0 else (MINUS if ratio < 0 else "±")
        return sign + self.percent(abs(ratio))

    # --- dates ---------------------------------------------------------------------------------

    def exact(self, value: Any) -> str:
        """Date and time in the portal's zone, with the zone's offset: Sep 10, 2026, 4:03 PM."""
        moment = to_moment(value)
        if moment is None:
            return DASH if value in (None, "") else str(value)
        return format_datetime(moment, "MMM d, y, h:mm a (zzzz)", tzinfo=self.tz, locale=LOCALE)

    def day(self, value: Any) -> str:
        """The calendar day in the portal's zone: Sep 10, 2026."""
        moment = to_moment(value)
        if moment is None:
            return DASH if value in (None, "") else str(value)
        return format_date(moment.astimezone(self.tz).date(), "medium", locale=LOCALE)

    def calendar_day(self, value: date) -> str:
        return format_date(value, "MMM d", locale=LOCALE)

    def relative(self, value: Any) -> str:
        moment = to_moment(value)
        if moment is None:
            return DASH if value in (None, "") else str(value)
        now = datetime(1970, 1, 1, tzinfo=UTC) + timedelta(milliseconds=self.now_ms)
        delta = moment - now
        if abs(delta) < timedelta(seconds=45):
            return "just now"
        return format_timedelta(delta, add_direction=True, threshold=1.0, locale=LOCALE)

    def when(self, value: Any, *, style: str = "relative") -> Markup:
        """A <time> element: relative ("3 days ago"), the day, or both; exact time on hover."""
        moment = to_moment(value)
        if moment is None:
            return Markup(escape(DASH if value in (None, "") else str(value)))
        shown = self.relative(value) if style == "relative" else self.day(value)
        if style == "both":
            shown = f"{self.day(value)} ({self.relative(value)})"
        return Markup('<time datetime="{0}" title="{1}">{2}</time>').format(
            moment.isoformat(timespec="seconds"), self.exact(value), shown
        )

    def local_date(self, ms: int) -> date:
        """The calendar day of an instant in the portal's zone."""
        moment = to_moment(ms)
        return (moment or datetime(1970, 1, 1, tzinfo=UTC)).astimezone(self.tz).date()

    def start_of_day_ms(self, day: date) -> int:
        """The first millisecond of a calendar day in the portal's zone."""
        local = datetime(day.year, day.month, day.day, tzinfo=self.tz)
        return int(local.timestamp() * 1000)
