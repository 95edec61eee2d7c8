"""Rules of the web UI's accounts: creating users and signing them in. Never commits."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy.engine import Connection

from ecombridge.clock import now_ms
from ecombridge.errors import Conflict, ValidationFailed
from ecombridge.tenancy import service as tenancy
from ecombridge.web.passwords import DUMMY_HASH, hash_password, verify_password
from ecombridge.web.repository import users as repo

MIN_PASSWORD_LENGTH = 8
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True)
class WebUser:
    id: int
    email: str
    portal_id: int
    portal_name: str
    time_zone: str = "UTC"
    currency: str = "USD"


def normalise_email(email: str) -> str:
    return email.strip().lower()


def create_user(conn: Connection, portal_id: int, email: str, password: str) -> int:
    """A user who signs in to the portal's web UI; emails are unique across the bridge."""
    email = normalise_email(email)
    if not _EMAIL.match(email) or len(email) > 320 or "\x00" in email:
        raise ValidationFailed(f"email: {email!r} is not a valid email address.")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationFailed(f"password: must be at least {MIN_PASSWORD_LENGTH} characters.")
    tenancy.require_portal(conn, portal_id)
    if repo.get_user_by_email(conn, email) is not None:
        raise Conflict(f"A user with email {email} already exists.")
    return repo.insert_user(conn, portal_id, email, hash_password(password), now_ms())


def authenticate(conn: Connection, email: str, password: str) -> int | None:
    """The id of the user these credentials sign in, or None (same cost either way)."""
    email = normalise_email(email)
    # No user's email holds a NUL (PostgreSQL text cannot), so it is not looked up.
    row = repo.get_user_by_email(conn, email) if "\x00" not in email else None
    if row is None:
        verify_password(password, DUMMY_HASH)
        return None
    return int(row.id) if verify_password(password, row.password_hash) else None


def load_user(conn: Connection, user_id: int) -> WebUser | None:
    row = repo.get_user(conn, user_id)
    if row is None:
        return None
    return WebUser(
        int(row.id),
        row.email,
        int(row.portal_id),
        row.portal_name,
        row.time_zone,
        row.currency,
    )
