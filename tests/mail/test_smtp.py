"""Sending through a real SMTP server: plain, STARTTLS and TLS with the certificate checked
against the configured name while the connection goes to the address the guard checked;
private addresses refused unless allowed; failures sorted into temporary and permanent."""

from __future__ import annotations

import ssl
from collections.abc import Iterator
from email.message import EmailMessage

import pytest
import trustme

from ecombridge.mail import smtp
from ecombridge.mail.message import Envelope, build_message
from ecombridge.mail.settings import (
    MailNotConfigured,
    MailSettings,
    mail_settings,
    parse_sender,
    parse_smtp_url,
)
from ecombridge.outbound.addresses import AddressPolicy
from tests.support.smtp import SmtpServer

LOCAL = AddressPolicy.from_setting("127.0.0.1/32")


def a_message(to: str = "ada@example.com") -> EmailMessage:
    envelope = Envelope(
        parse_sender("Shop <shop@example.com>"),
        to,
        "Ada",
        "Hello",
        "<1@example.com>",
        1_700_000_000_000,
        "https://bridge.example.com/email/unsubscribe/t",
    )
    return build_message(envelope, "<p>Hello</p>", "Hello\n")


def settings_for(url: str) -> MailSettings:
    return MailSettings(parse_smtp_url(url), parse_sender("shop@example.com"))


def test_smtp_urls_are_read_with_their_security_and_credentials() -> None:
    plain = parse_smtp_url("smtp://mail.example.com")
    assert (plain.host, plain.port, plain.security, plain.username) == (
        "mail.example.com",
        25,
        "plain",
        None,
    )
    starttls = parse_smtp_url("smtp+starttls://user%40shop:p%3Ass@mail.example.com")
    assert (starttls.port, starttls.security) == (587, "starttls")
    assert (starttls.username, starttls.password) == ("user@shop", "p:ss")
    assert parse_smtp_url("smtps://mail.example.com:2465").port == 2465
    assert "p:ss" not in repr(starttls)
    for bad in ("http://mail.example.com", "smtp://", "smtp://host:port"):
        with pytest.raises(MailNotConfigured):
            parse_smtp_url(bad)


def test_without_settings_nothing_is_configured(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ECOMBRIDGE_SMTP_URL", raising=False)
    with pytest.raises(MailNotConfigured, match="ECOMBRIDGE_SMTP_URL"):
        mail_settings()
    monkeypatch.setenv("ECOMBRIDGE_SMTP_URL", "smtp://mail.example.com")
    monkeypatch.delenv("ECOMBRIDGE_MAIL_FROM", raising=False)
    with pytest.raises(MailNotConfigured, match="ECOMBRIDGE_MAIL_FROM"):
        mail_settings()


def test_a_message_is_multipart_alternative_with_the_unsubscribe_headers() -> None:
    message = a_message()
    assert message.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in message.iter_parts()] == ["text/plain", "text/html"]
    assert message["List-Unsubscribe"] == "<https://bridge.example.com/email/unsubscribe/t>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message["Message-ID"] == "<1@example.com>"
    assert message["Date"] == "Tue, 14 Nov 2023 22:13:20 +0000"


def test_a_private_smtp_host_is_refused_unless_allowed(smtp_server: SmtpServer) -> None:
    settings = settings_for(f"smtp://127.0.0.1:{smtp_server.port}")
    with pytest.raises(smtp.TemporaryFailure, match="private, loopback or reserved"):
        smtp.send(settings, a_message(), AddressPolicy())
    assert smtp_server.messages == []
    smtp.send(settings, a_message(), LOCAL)
    assert len(smtp_server.messages) == 1


def test_refusals_are_temporary_for_4xx_and_permanent_for_5xx(smtp_server: SmtpServer) -> None:
    settings = settings_for(f"smtp://127.0.0.1:{smtp_server.port}")
    smtp_server.mailbox.reply = "452 4.2.2 Mailbox full"
    with pytest.raises(smtp.TemporaryFailure, match=r"452 4\.2\.2 Mailbox full"):
        smtp.send(settings, a_message(), LOCAL)
    smtp_server.mailbox.reply = "550 5.1.1 Unknown user"
    with pytest.raises(smtp.PermanentFailure, match=r"550 5\.1\.1 Unknown user"):
        smtp.send(settings, a_message(), LOCAL)
    smtp_server.stop()
    with pytest.raises(smtp.TemporaryFailure, match="could not reach"):
        smtp.send(settings, a_message(), LOCAL)


@pytest.fixture
def certificate_authority(monkeypatch: pytest.MonkeyPatch, tmp_path: object) -> trustme.CA:
    """A CA the bridge trusts (``ssl.create_default_context`` reads SSL_CERT_FILE)."""
    authority = trustme.CA()
    path = f"{tmp_path}/ca.pem"
    authority.cert_pem.write_to_path(path)
    monkeypatch.setenv("SSL_CERT_FILE", path)
    return authority


def _server_context(authority: trustme.CA) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    authority.issue_cert("localhost").configure_cert(context)
    return context


def _started(server: SmtpServer) -> Iterator[SmtpServer]:
    server.start()
    yield server
    server.stop()


@pytest.fixture
def tls_server(certificate_authority: trustme.CA) -> Iterator[SmtpServer]:
    yield from _started(SmtpServer(tls=_server_context(certificate_authority)))


@pytest.fixture
def starttls_server(certificate_authority: trustme.CA) -> Iterator[SmtpServer]:
    yield from _started(SmtpServer(starttls=_server_context(certificate_authority)))


def test_smtps_checks_the_certificate_against_the_name(tls_server: SmtpServer) -> None:
    # "localhost" resolves to 127.0.0.1, which the guard checks and the socket connects to;
    # the certificate is issued to "localhost" and checked against that name.
    smtp.send(settings_for(f"smtps://localhost:{tls_server.port}"), a_message(), LOCAL)
    assert len(tls_server.messages) == 1
    with pytest.raises(smtp.TemporaryFailure, match="could not reach"):
        smtp.send(settings_for(f"smtps://127.0.0.1:{tls_server.port}"), a_message(), LOCAL)


def test_starttls_upgrades_before_sending(starttls_server: SmtpServer) -> None:
    url = f"smtp+starttls://shop:p%40ss@localhost:{starttls_server.port}"
    smtp.send(settings_for(url), a_message(), LOCAL)
    assert len(starttls_server.messages) == 1
    # A server requiring STARTTLS refuses a plain sender.
    with pytest.raises(smtp.DeliveryFailure):
        smtp.send(settings_for(f"smtp://localhost:{starttls_server.port}"), a_message(), LOCAL)
