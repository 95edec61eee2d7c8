"""Whose requests count together, and against which limits.

As HubSpot counted them: an installed app's requests per portal (its access tokens come and go
every half hour; the count stays with the installation), every other credential on its own. The
daily limit resets at midnight in the portal's time zone and does not apply to OAuth apps (HubSpot
gave them none, and sent them no daily headers).
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from ecombridge.clock import now_ms
from ecombridge.config import Config
from ecombridge.db.engine import Database
from ecombridge.ratelimit.counters import Counters, Keys, MemoryCounters, make_counters
from ecombridge.ratelimit.policy import Limits, Verdict, judge, parse_rate, window_of
from ecombridge.tenancy import repository as tenancy_repo
from ecombridge.tenancy.principal import CredentialKind, Principal

K = CredentialKind
ZONE_TTL_S = 60.0
_UTC = ZoneInfo("UTC")
_GROUP_KINDS = {
    K.PORTAL_API_KEY: "hapikey",
    K.DEVELOPER_API_KEY: "developer-hapikey",
    K.ACCESS_TOKEN: "oauth",
    K.PRIVATE_APP_TOKEN: "private-app",
}


@dataclass(frozen=True)
class Subject:
    """One credential's (or installation's) share of the limits."""

    key: str
    portal_id: int | None
    daily: bool
    group: str


@dataclass(frozen=True)
class DailyStatus:
    limit: int
    usage: int
    resets_at: int  # epoch ms


class RateLimiter:
    def __init__(self, limits: Limits, counters: Counters, database: Database) -> None:
        self.limits = limits
        self.counters = counters
        self.database = database
        self._zones: dict[int, tuple[float, ZoneInfo]] = {}
        self._zones_lock = threading.Lock()

    @classmethod
    def from_config(cls, config: Config, database: Database) -> RateLimiter:
        max_requests, window_ms = parse_rate(config.rate_limit)
        limits = Limits(max_requests, window_ms, max(0, config.daily_limit))
        return cls(limits, make_counters(config.rate_limit_store, database), database)

    @property
    def enabled(self) -> bool:
        return bool(self.limits.max_requests or self.limits.daily)

    def subject(self, principal: Principal, secret_digest: str) -> Subject:
        if principal.kind is K.ACCESS_TOKEN:
            key = f"app{principal.app_id}@{principal.portal_id}"
        else:
            key = f"{principal.kind.value[:3].lower()}:{secret_digest[:32]}"
        owner = principal.portal_id or principal.developer_id
        group = (
            f"publicapi:{_GROUP_KINDS[principal.kind]}-{self.limits.policy_name.lower()}:{owner}"
        )
        daily = bool(self.limits.daily) and principal.kind is not K.ACCESS_TOKEN
        return Subject(key, principal.portal_id, daily, group)

    def counts_in_loop(self, subject: Subject) -> bool:
        """Whether ``count`` is cheap enough for the event loop: in-memory counters and the
        portal's time zone already known (otherwise it reads or writes the database)."""
        if not isinstance(self.counters, MemoryCounters):
            return False
        cached = self._zones.get(subject.portal_id) if subject.portal_id is not None else None
        return subject.portal_id is None or (cached is not None and cached[0] > time.monotonic())

    def count(self, subject: Subject) -> Verdict:
        """Count one request of ``subject`` and judge it (may touch the database)."""
        now = now_ms()
        window = self.limits.window_ms
        index, _ = window_of(now, window)
        midnight = self._next_midnight(subject.portal_id, now)
        keys = Keys(
            previous=f"w:{subject.key}:{window}:{index - 1}",
            current=f"w:{subject.key}:{window}:{index}",
            current_expires_at=(index + 2) * window,
            daily=self._daily_key(subject, midnight) if subject.daily else None,
            daily_expires_at=midnight,
        )
        return self.counters.hit(
            keys, lambda counts: judge(self.limits, counts, now, subject.daily, midnight - now), now
        )

    def daily_status(self, subject: Subject) -> DailyStatus:
        now = now_ms()
        midnight = self._next_midnight(subject.portal_id, now)
        usage = self.counters.daily_usage(self._daily_key(subject, midnight), now)
        return DailyStatus(self.limits.daily, usage, midnight)

    @staticmethod
    def _daily_key(subject: Subject, midnight: int) -> str:
        return f"d:{subject.key}:{midnight}"

    def _next_midnight(self, portal_id: int | None, now: int) -> int:
        """Epoch ms of the next midnight in the portal's time zone (UTC without a portal)."""
        zone = self._zone(portal_id) if portal_id is not None else _UTC
        today = datetime.fromtimestamp(now / 1000, zone).date()
        tomorrow = datetime.combine(today + timedelta(days=1), datetime.min.time(), zone)
        return int(tomorrow.timestamp() * 1000)

    def _zone(self, portal_id: int) -> ZoneInfo:
        cached = self._zones.get(portal_id)
        if cached is not None and cached[0] > time.monotonic():
            return cached[1]
        with self.database.read() as conn:
            portal = tenancy_repo.get_portal(conn, portal_id)
        zone = ZoneInfo(portal.time_zone) if portal is not None else _UTC
        with self._zones_lock:
            self._zones[portal_id] = (time.monotonic() + ZONE_TTL_S, zone)
        return zone
