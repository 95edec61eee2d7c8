"""A short-lived, in-process cache of resolved callers, keyed by the digest of the secret.

The sync endpoints are called in tight loops; resolving the credential on every request would
cost a database round trip each time. An entry lives a few seconds at most and never beyond the
credential's own expiry. Revocations made by this process clear the cache (after their
transaction commits, so no request can re-cache the old state); revocations made by another
process take effect within ``ttl_s``.
"""

from __future__ import annotations

import threading
import time

from ecombridge.clock import now_ms
from ecombridge.tenancy.principal import Principal

DEFAULT_TTL_S = 5.0
MAX_ENTRIES = 10_000


class PrincipalCache:
    def __init__(self, ttl_s: float = DEFAULT_TTL_S, max_entries: int = MAX_ENTRIES) -> None:
        self.ttl_s = ttl_s
        self.max_entries = max_entries
        self._entries: dict[str, tuple[float, Principal]] = {}
        self._lock = threading.Lock()
        # Bumped by clear(): a resolution that started before a clear must not be stored after it.
        self._generation = 0

    @property
    def generation(self) -> int:
        return self._generation

    def get(self, token_digest: str) -> Principal | None:
        entry = self._entries.get(token_digest)
        if entry is None:
            return None
        deadline, principal = entry
        if time.monotonic() >= deadline or _expired(principal):
            with self._lock:
                self._entries.pop(token_digest, None)
            return None
        return principal

    def put(self, token_digest: str, principal: Principal, generation: int) -> None:
        """Store a principal resolved while the cache was at ``generation``."""
        with self._lock:
            if generation != self._generation:
                return
            if len(self._entries) >= self.max_entries:
                self._entries.clear()  # crude but bounded; the cache refills within seconds
            self._entries[token_digest] = (time.monotonic() + self.ttl_s, principal)

    def clear(self) -> None:
        with self._lock:
            self._generation += 1
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)


def _expired(principal: Principal) -> bool:
    return principal.expires_at is not None and principal.expires_at <= now_ms()
