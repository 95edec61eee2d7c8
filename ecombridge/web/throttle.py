"""Slows password guessing without letting anyone lock a user out.

Failed sign-ins are counted per (email, client address) pair and per client address (an IPv6
address counts by its /64: one machine usually has the whole block). Each counter lets a few
failures through freely, then each further failure is followed by a wait before the next
attempt, doubling every time (1 s, 2 s, 4 s ... up to a cap); a counter is forgotten once no
failure came for a while, and a successful sign-in clears its pair. A wait is never a lockout:
it ends by itself and grows only with the failures of the one who caused it.

- Guessing one user's password from one address: 5 failures free, then tries 1 s, 2 s, 4 s
  ... up to 5 min apart.
- Guessing many users' passwords from one address: the address's counter (20 free) slows it
  down the same way.
- Someone else guessing a user's password elsewhere changes nothing for that user: there is no
  per-email counter, on purpose (it would let anyone keep a known user out by guessing). The
  price: guessing from many addresses is slowed per address only; scrypt hashes and the
  minimum password length are what bound it.
- Behind one NAT, users share the address's counter: a guesser there slows (never blocks) the
  others; the per-pair counters of people who type their password right stay empty.

Counters live in process memory (per server process), as do their waits.
"""

from __future__ import annotations

import ipaddress
import threading
import time
from dataclasses import dataclass

PAIR_FREE_FAILURES = 5
ADDRESS_FREE_FAILURES = 20
FIRST_DELAY_S = 1.0
MAX_DELAY_S = 5 * 60.0
FORGET_AFTER_S = 15 * 60.0
MAX_COUNTERS = 100_000  # bounds memory under a spray of emails and addresses


@dataclass
class _Counter:
    failures: int
    last_failure: float


def address_key(host: str | None) -> str:
    """The client address a counter is kept for: IPv6 by its /64."""
    try:
        address = ipaddress.ip_address(host or "")
    except ValueError:
        return host or "unknown"
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network((address, 64), strict=False))
    return str(address)


class SignInThrottle:
    def __init__(
        self,
        pair_free: int = PAIR_FREE_FAILURES,
        address_free: int = ADDRESS_FREE_FAILURES,
        first_delay_s: float = FIRST_DELAY_S,
        max_delay_s: float = MAX_DELAY_S,
        forget_after_s: float = FORGET_AFTER_S,
    ) -> None:
        self.free = {"pair": pair_free, "address": address_free}
        self.first_delay_s = first_delay_s
        self.max_delay_s = max_delay_s
        self.forget_after_s = forget_after_s
        self._counters: dict[tuple[str, ...], _Counter] = {}
        self._lock = threading.Lock()

    @staticmethod
    def _keys(email: str, address: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
        return ("pair", email, address), ("address", address)

    def _wait(self, key: tuple[str, ...], now: float) -> float:
        counter = self._counters.get(key)
        if counter is None:
            return 0.0
        if now - counter.last_failure > self.forget_after_s:
            del self._counters[key]
            return 0.0
        over = counter.failures - self.free[key[0]] - 1
        if over < 0:
            return 0.0
        delay = min(self.first_delay_s * 2.0**over, self.max_delay_s)
        return max(0.0, counter.last_failure + delay - now)

    def wait_seconds(self, email: str, address: str) -> int:
        """0 when a sign-in may be tried now, else the whole seconds until it may."""
        now = time.monotonic()
        with self._lock:
            wait = max(self._wait(key, now) for key in self._keys(email, address))
        return int(wait) + 1 if wait > 0 else 0

    def failed(self, email: str, address: str) -> None:
        now = time.monotonic()
        with self._lock:
            if len(self._counters) > MAX_COUNTERS:
                self._forget_old(now)
            for key in self._keys(email, address):
                self._wait(key, now)  # forgets a counter gone quiet
                counter = self._counters.setdefault(key, _Counter(0, now))
                counter.failures += 1
                counter.last_failure = now

    def succeeded(self, email: str, address: str) -> None:
        with self._lock:
            self._counters.pop(self._keys(email, address)[0], None)

    def _forget_old(self, now: float) -> None:
        old = [k for k, c in self._counters.items() if now - c.last_failure > self.forget_after_s]
        for key in old:
            del self._counters[key]
        if len(self._counters) > MAX_COUNTERS:  # a flood within the window: start over
            self._counters.clear()
