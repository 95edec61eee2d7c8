"""The in-process cache of resolved callers: short-lived, bounded, and never stale after a clear."""

from __future__ import annotations

import time

from ecombridge.clock import now_ms
from ecombridge.tenancy.principal import CredentialKind, Principal
from ecombridge.tenancy.principal_cache import PrincipalCache

CALLER = Principal(kind=CredentialKind.PORTAL_API_KEY, portal_id=7)


def test_an_entry_is_served_until_its_ttl() -> None:
    cache = PrincipalCache(ttl_s=0.05)
    cache.put("d", CALLER, cache.generation)
    assert cache.get("d") == CALLER
    time.sleep(0.06)
    assert cache.get("d") is None
    assert len(cache) == 0


def test_an_entry_never_outlives_the_credential() -> None:
    cache = PrincipalCache(ttl_s=60)
    token = Principal(kind=CredentialKind.ACCESS_TOKEN, portal_id=7, expires_at=now_ms() - 1)
    cache.put("d", token, cache.generation)
    assert cache.get("d") is None


def test_a_resolution_started_before_a_clear_is_not_stored() -> None:
    cache = PrincipalCache()
    generation = cache.generation  # a request starts resolving...
    cache.clear()  # ...a revocation commits and clears...
    cache.put("d", CALLER, generation)  # ...the old answer must not be cached
    assert cache.get("d") is None
    cache.put("d", CALLER, cache.generation)
    assert cache.get("d") == CALLER


def test_the_cache_is_bounded() -> None:
    cache = PrincipalCache(max_entries=3)
    for n in range(10):
        cache.put(str(n), CALLER, cache.generation)
    assert len(cache) <= 3
    assert cache.get("9") == CALLER
