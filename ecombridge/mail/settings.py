"""Mail settings from the environment: ``ECOMBRIDGE_SMTP_URL``, ``ECOMBRIDGE_MAIL_FROM``,
``ECOMBRIDGE_MAIL_HOURLY_CAP``.

``ECOMBRIDGE_SMTP_URL`` is ``smtp://[user:password@]host[:port]`` (plain, port 25),
``smtp+starttls://...`` (STARTTLS required, port 587) or ``smtps://...`` (TLS from the start,
port 465); user and password are percent-decoded. Read at every use, so workers pick up a
change without a restart and tests can set it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from email.headerregistry import Address
from email.utils import parseaddr
from urllib.parse import unquote, urlsplit

from ecombridge.config import Config

SMTP_URL_ENV = "ECOMBRIDGE_SMTP_URL"
MAIL_FROM_ENV = "ECOMBRIDGE_MAIL_FROM"
HOURLY_CAP_ENV = "ECOMBRIDGE_MAIL_HOURLY_CAP"
DEFAULT_HOURLY_CAP = 500
_SCHEMES = {"smtp": ("plain", 25), "smtp+starttls": ("starttls", 587), "smtps": ("tls", 465)}


class MailNotConfigured(Exception):
    """No usable SMTP server or sender: the message says what to set."""


@dataclass(frozen=True)
class SmtpServer:
    host: str
    port: int
    security: str  # plain | starttls | tls
    username: str | None = None
    password: str | None = None

    def __repr__(self) -> str:  # never the password in logs
        return f"SmtpServer({self.security}://{self.host}:{self.port}, user={self.username!r})"


def parse_smtp_url(url: str) -> SmtpServer:
    parts = urlsplit(url.strip())
    if parts.scheme not in _SCHEMES:
        raise MailNotConfigured(
            f"{SMTP_URL_ENV} must start with smtp://, smtp+starttls:// or smtps://."
        )
    security, default_port = _SCHEMES[parts.scheme]
    try:
        port = parts.port or default_port
    except ValueError:
        raise MailNotConfigured(f"{SMTP_URL_ENV} has an invalid port.") from None
    if not parts.hostname:
        raise MailNotConfigured(f"{SMTP_URL_ENV} names no host.")
    username = unquote(parts.username) if parts.username else None
    password = unquote(parts.password) if parts.password is not None else None
    return SmtpServer(parts.hostname, port, security, username, password)


def parse_sender(text: str) -> Address:
    """``shop@example.com`` or ``Shop name <shop@example.com>``."""
    name, address = parseaddr(text.strip())
    if "@" not in address:
        raise MailNotConfigured(f"{MAIL_FROM_ENV} must be an email address, got {text!r}.")
    user, _, domain = address.rpartition("@")
    try:
        return Address(display_name=name, username=user, domain=domain)
    except (ValueError, IndexError):
        raise MailNotConfigured(f"{MAIL_FROM_ENV} is not a valid address: {text!r}.") from None


@dataclass(frozen=True)
class MailSettings:
    server: SmtpServer
    sender: Address


def mail_settings() -> MailSettings:
    """The configured server and sender, or MailNotConfigured saying what is missing."""
    url = os.environ.get(SMTP_URL_ENV, "").strip()
    if not url:
        raise MailNotConfigured(f"no SMTP server is configured: set {SMTP_URL_ENV}.")
    sender = os.environ.get(MAIL_FROM_ENV, "").strip()
    if not sender:
        raise MailNotConfigured(f"no sender address is configured: set {MAIL_FROM_ENV}.")
    return MailSettings(parse_smtp_url(url), parse_sender(sender))


def hourly_cap() -> int:
    """Most emails a portal's workflows send in any hour; more wait for the next hour."""
    text = os.environ.get(HOURLY_CAP_ENV, "").strip()
    try:
        return max(1, int(text)) if text else DEFAULT_HOURLY_CAP
    except ValueError:
        return DEFAULT_HOURLY_CAP


def public_base_url() -> str:
    """Where recipients reach the bridge (unsubscribe links): ``ECOMBRIDGE_PUBLIC_BASE_URL``,
    read at every use like the settings above."""
    return Config().base_url()
