"""Rules of the web UI's accounts: users, signing in, sessions and passwords. Never commits."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

from sqlalchemy.engine import Connection

from ecombridge.clock import now_ms
from ecombridge.errors import Conflict, NotFound, ValidationFailed
from ecombridge.tenancy import service as tenancy
from ecombridge.tenancy.secrets import digest
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
    _check_password(password)
    tenancy.require_portal(conn, portal_id)
    if repo.get_user_by_email(conn, email) is not None:
        raise Conflict(f"A user with email {email} already exists.")
    return repo.insert_user(conn, portal_id, email, hash_password(password), now_ms())


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationFailed(f"password: must be at least {MIN_PASSWORD_LENGTH} characters.")


def authenticate(conn: Connection, email: str, password: str) -> int | None:
    """The id of the user these credentials sign in, or None (same cost either way)."""
    email = normalise_email(email)
    # No user's email holds a NUL (PostgreSQL text cannot), so it is not looked up.
    row = repo.get_user_by_email(conn, email) if "\x00" not in email else None
    if row is None:
        verify_password(password, DUMMY_HASH)
        return None
    return int(row.id) if verify_password(password, row.password_hash) else None


SESSION_TTL_MS = 14 * 24 * 3600 * 1000  # a signed-in session lasts 14 days


def start_session(conn: Connection, user_id: int) -> str:
    """A new signed-in session of the user; returns its token (the cookie carries it). Expired
    sessions of every user are deleted on the way."""
    now = now_ms()
    repo.delete_sessions(conn, before=now - SESSION_TTL_MS)
    token = secrets.token_urlsafe(32)
    repo.insert_session(conn, digest(token), user_id, now)
    return token


def end_session(conn: Connection, token: str) -> None:
    repo.delete_session(conn, digest(token))


def user_of_session(conn: Connection, token: str) -> WebUser | None:
    """The user of a live session (not ended, not expired), or None."""
    row = repo.get_user_of_session(conn, digest(token), now_ms() - SESSION_TTL_MS)
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


def password_hash(password: str) -> str:
    """The stored form of a new password (slow on purpose: compute it outside a write
    transaction)."""
    _check_password(password)
    return hash_password(password)


def replace_password(conn: Connection, user_id: int, new_hash: str) -> None:
    """Store a new password (``password_hash``); every session of the user ends."""
    repo.update_password(conn, user_id, new_hash)
    repo.delete_sessions(conn, user_id=user_id)


class WrongPassword(ValidationFailed):
    """The current password given to change it is wrong."""


def check_current_password(conn: Connection, user: WebUser, password: str) -> None:
    """A user changing their password must give the current one."""
    if authenticate(conn, user.email, password) != user.id:
        raise WrongPassword("current_password: that is not your current password.")


def user_id_of(conn: Connection, email: str) -> int:
    row = repo.get_user_by_email(conn, normalise_email(email))
    if row is None:
        raise NotFound(f"No user has the email {normalise_email(email)}.")
    return int(row.id)
