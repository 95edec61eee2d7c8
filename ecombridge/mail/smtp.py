"""Handing a message to the SMTP server, through the outbound guard.

The server's name is resolved and checked by ``outbound.addresses.resolve`` (private addresses
only when ``ECOMBRIDGE_WEBHOOK_ALLOW_PRIVATE`` allows them); the connection is made to the
checked address while TLS (``smtps``, or ``STARTTLS``) verifies the certificate against the
name, so a name cannot resolve to one address for the check and another for the connection.

Failures are sorted into the two kinds the workflows act on: ``TemporaryFailure`` (the server
answered 4xx, could not be reached, or refused the credentials: retried later) and
``PermanentFailure`` (the server refused the message with 5xx: never retried).
"""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage

from ecombridge.mail.settings import MailSettings
from ecombridge.outbound.addresses import AddressPolicy, BlockedAddress, resolve

TIMEOUT_S = 30.0


class DeliveryFailure(Exception):
    """The message was not accepted; ``str()`` says why, naming the server's reply."""


class TemporaryFailure(DeliveryFailure):
    pass


class PermanentFailure(DeliveryFailure):
    pass


def _connect(settings: MailSettings, policy: AddressPolicy, timeout: float) -> smtplib.SMTP:
    server = settings.server
    address = resolve(server.host, server.port, policy)[0]
    context = ssl.create_default_context()
    ehlo_name = settings.sender.domain or "localhost"
    smtp: smtplib.SMTP
    if server.security == "tls":
        smtp = smtplib.SMTP_SSL(local_hostname=ehlo_name, timeout=timeout, context=context)
    else:
        smtp = smtplib.SMTP(local_hostname=ehlo_name, timeout=timeout)
    # The name TLS checks the certificate against (SNI too); the socket goes to ``address``.
    smtp._host = server.host  # type: ignore[attr-defined]
    try:
        smtp.connect(address, server.port)
        if server.security == "starttls":
            smtp.starttls(context=context)
        if server.username:
            smtp.login(server.username, server.password or "")
    except BaseException:
        smtp.close()
        raise
    return smtp


def _reply(code: int, text: bytes | str) -> str:
    detail = text.decode("utf-8", "replace") if isinstance(text, bytes) else text
    return f"{code} {detail}".strip()


def send(
    settings: MailSettings,
    message: EmailMessage,
    policy: AddressPolicy,
    *,
    timeout: float = TIMEOUT_S,
) -> None:
    """Deliver ``message`` (its From, To and headers as built) to the configured server.

    Returns once the server accepted it; raises TemporaryFailure or PermanentFailure."""
    try:
        smtp = _connect(settings, policy, timeout)
    except BlockedAddress as exc:
        raise TemporaryFailure(f"the SMTP server may not be called: {exc}") from None
    except smtplib.SMTPAuthenticationError as exc:
        raise TemporaryFailure(
            f"the SMTP server refused the credentials: {_reply(exc.smtp_code, exc.smtp_error)}"
        ) from None
    except smtplib.SMTPResponseException as exc:
        raise _classified(exc.smtp_code, exc.smtp_error, "connecting") from None
    except (smtplib.SMTPException, OSError) as exc:
        raise TemporaryFailure(f"could not reach the SMTP server: {exc}") from None
    try:
        smtp.send_message(message)
    except smtplib.SMTPRecipientsRefused as exc:
        code, text = next(iter(exc.recipients.values()))
        raise _classified(code, text, "the recipient") from None
    except smtplib.SMTPResponseException as exc:
        raise _classified(exc.smtp_code, exc.smtp_error, "the message") from None
    except (smtplib.SMTPException, OSError) as exc:
        raise TemporaryFailure(f"the SMTP connection failed while sending: {exc}") from None
    finally:
        try:
            smtp.quit()
        except (smtplib.SMTPException, OSError):
            smtp.close()  # accepted is accepted; a failed QUIT changes nothing


def _classified(code: int, text: bytes | str, what: str) -> DeliveryFailure:
    reply = _reply(code, text)
    if 500 <= code < 600:
        return PermanentFailure(f"the SMTP server refused {what}: {reply}")
    return TemporaryFailure(f"the SMTP server deferred {what}: {reply}")
