"""App client secrets encrypted at rest.

An app's client secret is the HMAC key that signs the requests the bridge sends to the app (the
import webhook), so the bridge must be able to read it back: a digest would not do. It is stored
encrypted with Fernet (AES-128-CBC and HMAC-SHA256, from ``cryptography``) under a key kept
outside the database:

- ``ECOMBRIDGE_SECRET_KEY``: one or more keys separated by commas, each any string of at least
  32 characters (``openssl rand -base64 32`` makes one). The first encrypts; every one decrypts,
  so a new key is put first and the old one kept after it until ``ecombridge admin
  reseal-secrets`` has re-encrypted every secret with the new key.
- otherwise, for a SQLite database file, a key file beside it (``<database>-secret-key``),
  created with mode 0600 the first time a secret is sealed. Back it up with the database: the
  secrets cannot be read without it.
- PostgreSQL needs ``ECOMBRIDGE_SECRET_KEY`` (every process on every machine must use the same
  key); an in-memory SQLite database gets a key for the life of the process.

Each key string is stretched to a Fernet key with HKDF-SHA256.
"""

from __future__ import annotations

import base64
import os
import secrets
import threading
from collections.abc import Callable
from pathlib import Path

import sqlalchemy as sa
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from ecombridge.errors import BridgeError

KEY_ENV = "ECOMBRIDGE_SECRET_KEY"
MIN_KEY_LENGTH = 32
_INFO = b"ecombridge app client secrets v1"


class SecretKeyUnavailable(BridgeError):
    """No key to seal or open secrets with, or a secret the configured keys cannot open."""

    http_status = 500
    category = "CONFIGURATION_ERROR"


def key_file_path(url: sa.URL) -> Path | None:
    """The key file of a SQLite database file; None for other databases."""
    database = url.database
    if url.get_backend_name() != "sqlite" or not database or database == ":memory:":
        return None
    if database.startswith("file:"):
        return None
    return Path(f"{database}-secret-key")


def _fernet(material: str) -> Fernet:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_INFO).derive(
        material.encode("utf-8")
    )
    return Fernet(base64.urlsafe_b64encode(key))


def _key_strings(url: sa.URL) -> list[str]:
    configured = os.environ.get(KEY_ENV, "")
    if configured.strip():
        keys = [k.strip() for k in configured.split(",") if k.strip()]
        short = [k for k in keys if len(k) < MIN_KEY_LENGTH]
        if short:
            raise SecretKeyUnavailable(
                f"{KEY_ENV}: every key must be at least {MIN_KEY_LENGTH} characters "
                "(make one with: openssl rand -base64 32)."
            )
        return keys
    path = key_file_path(url)
    if path is not None:
        return [_read_or_create(path)]
    if url.get_backend_name() == "sqlite":  # in memory: nothing outlives the process anyway
        return [_process_key]
    raise SecretKeyUnavailable(
        f"Set {KEY_ENV} (at least {MIN_KEY_LENGTH} characters, the same in every process): "
        "app client secrets are stored encrypted with it."
    )


def _read_or_create(path: Path) -> str:
    try:
        return path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    material = secrets.token_urlsafe(32)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process made it first
        return path.read_text(encoding="ascii").strip()
    with os.fdopen(fd, "w", encoding="ascii") as file:
        file.write(material + "\n")
    return material


_process_key = secrets.token_urlsafe(32)
_boxes: dict[tuple[str, ...], MultiFernet] = {}
_lock = threading.Lock()


def box(url: sa.URL) -> MultiFernet:
    """The keys of the database at ``url`` (cached per key set)."""
    keys = tuple(_key_strings(url))
    with _lock:
        found = _boxes.get(keys)
        if found is None:
            found = _boxes[keys] = MultiFernet([_fernet(k) for k in keys])
    return found


def seal(url: sa.URL, secret: str) -> str:
    return box(url).encrypt(secret.encode("utf-8")).decode("ascii")


def unseal(url: sa.URL, sealed: str) -> str:
    return _opening(url, lambda keys: keys.decrypt(sealed.encode("ascii"))).decode("utf-8")


def reseal(url: sa.URL, sealed: str) -> str:
    """``sealed`` encrypted again with the first key (after a new key was put first)."""
    return _opening(url, lambda keys: keys.rotate(sealed.encode("ascii"))).decode("ascii")


def _opening(url: sa.URL, action: Callable[[MultiFernet], bytes]) -> bytes:
    try:
        return action(box(url))
    except InvalidToken:
        raise SecretKeyUnavailable(
            f"An app's client secret cannot be decrypted with the configured key: {KEY_ENV} "
            "(or the key file beside the database) is not the key it was stored with."
        ) from None
