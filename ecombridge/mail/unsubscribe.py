"""Unsubscribe links: ``{base}/email/unsubscribe/{portal}.{contact}.{signature}``.

The signature is an HMAC-SHA256 of portal and contact under a random key per portal (kept in
``mail_senders``, made with the portal's first email), so a link cannot be guessed or altered
to unsubscribe someone else, and keeps working as long as the portal exists (RFC 8058 asks that
one-click links do not expire soon).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets

_TOKEN = re.compile(r"^([0-9]{1,19})\.([0-9]{1,19})\.([A-Za-z0-9_-]{43})$")
PATH = "/email/unsubscribe"


def new_key() -> str:
    return secrets.token_urlsafe(32)


def _signature(key: str, portal_id: int, contact_id: int) -> str:
    digest = hmac.new(key.encode(), f"{portal_id}:{contact_id}".encode(), hashlib.sha256)
    return base64.urlsafe_b64encode(digest.digest()).decode().rstrip("=")


def make_token(key: str, portal_id: int, contact_id: int) -> str:
    return f"{portal_id}.{contact_id}.{_signature(key, portal_id, contact_id)}"


def parse_token(token: str) -> tuple[int, int, str] | None:
    """(portal id, contact id, signature) of a well-formed token, not yet verified."""
    found = _TOKEN.match(token)
    if found is None:
        return None
    return int(found.group(1)), int(found.group(2)), found.group(3)


def verify(key: str, portal_id: int, contact_id: int, signature: str) -> bool:
    return hmac.compare_digest(_signature(key, portal_id, contact_id), signature)


def unsubscribe_url(base_url: str, token: str) -> str:
    return f"{base_url.rstrip('/')}{PATH}/{token}"
