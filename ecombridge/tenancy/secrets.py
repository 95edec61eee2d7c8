"""Making and checking secrets. Only SHA-256 digests are stored; tokens are random, so a
plain digest resists guessing, and digests are compared in constant time."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid

from ecombridge.tenancy.principal import CredentialKind

# Prefixes make a token's kind obvious to a human reading logs; lookups never rely on them.
_PREFIXES = {
    CredentialKind.ACCESS_TOKEN: "eb-at-",
    CredentialKind.REFRESH_TOKEN: "eb-rt-",
    CredentialKind.AUTHORIZATION_CODE: "eb-code-",
    CredentialKind.PRIVATE_APP_TOKEN: "pat-local-",
}


def new_secret(kind: CredentialKind) -> str:
    if kind in (CredentialKind.PORTAL_API_KEY, CredentialKind.DEVELOPER_API_KEY):
        return str(uuid.uuid4())  # HubSpot's API keys were UUIDs
    return _PREFIXES[kind] + secrets.token_urlsafe(32)


def new_client_id() -> str:
    return str(uuid.uuid4())


def new_client_secret() -> str:
    return str(uuid.uuid4())


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def digests_match(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode("ascii"), b.encode("ascii"))
