"""A real SMTP server on 127.0.0.1 (aiosmtpd, in a thread) that keeps what it accepts.

``smtp_server`` starts one and points the bridge at it (``ECOMBRIDGE_SMTP_URL``, a sender, the
outbound guard allowing 127.0.0.1, a public base URL for unsubscribe links). A test can make it
answer a temporary (4xx) or permanent (5xx) error, stop it and start it again on the same port.
"""

from __future__ import annotations

import email
import email.policy
import ssl
from collections.abc import Iterator
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from tests.support.live import free_port

SENDER = "Demo Outfitters <shop@shop.example.com>"
PUBLIC_BASE_URL = "http://testserver"


class Mailbox:
    """The handler: keeps accepted messages; ``reply`` makes it refuse recipients instead."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.reply: str | None = None  # e.g. "451 4.3.0 Try again later"
        self.refused = 0

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if self.reply is not None:
            self.refused += 1
            return self.reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        self.messages.append(parsed)
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if address in str(m["To"])]


def _check_login(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> Any:
    ok = isinstance(data, LoginPassword) and (data.login, data.password) == (b"shop", b"p@ss")
    return AuthResult(success=ok)


class SmtpServer:
    def __init__(
        self, *, tls: ssl.SSLContext | None = None, starttls: ssl.SSLContext | None = None
    ) -> None:
        self.mailbox = Mailbox()
        self.port = free_port()
        self._tls, self._starttls = tls, starttls
        self._controller: Controller | None = None

    def start(self) -> None:
        self._controller = Controller(
            self.mailbox,
            hostname="127.0.0.1",
            port=self.port,
            ssl_context=self._tls,
            server_hostname="localhost",
            ready_timeout=10,
            # SMTP session options
            tls_context=self._starttls,
            require_starttls=self._starttls is not None,
            authenticator=_check_login,
            auth_require_tls=False,
        )
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    @property
    def messages(self) -> list[EmailMessage]:
        return self.mailbox.messages


def point_bridge_at(monkeypatch: pytest.MonkeyPatch, url: str) -> None:
    monkeypatch.setenv("ECOMBRIDGE_SMTP_URL", url)
    monkeypatch.setenv("ECOMBRIDGE_MAIL_FROM", SENDER)
    monkeypatch.setenv("ECOMBRIDGE_WEBHOOK_ALLOW_PRIVATE", "127.0.0.1/32")
    monkeypatch.setenv("ECOMBRIDGE_PUBLIC_BASE_URL", PUBLIC_BASE_URL)


@pytest.fixture
def smtp_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[SmtpServer]:
    server = SmtpServer()
    server.start()
    point_bridge_at(monkeypatch, f"smtp://127.0.0.1:{server.port}")
    yield server
    server.stop()
