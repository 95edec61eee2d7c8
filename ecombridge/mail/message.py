"""Building a workflow email: multipart/alternative (text, then HTML), with Message-ID, Date and
the unsubscribe headers mailbox providers ask bulk senders for (RFC 2369, RFC 8058 one-click)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, formataddr


@dataclass(frozen=True)
class Envelope:
    sender: Address
    recipient: str
    recipient_name: str
    subject: str
    message_id: str
    sent_at_ms: int
    unsubscribe_url: str


def new_message_id(sender: Address) -> str:
    """``<random@sender-domain>``: unique, and stored before the send is attempted."""
    return f"<{uuid.uuid4().hex}@{sender.domain or 'ecombridge.invalid'}>"


def build_message(envelope: Envelope, html: str, text: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = envelope.sender
    message["To"] = formataddr((envelope.recipient_name, envelope.recipient))
    message["Subject"] = envelope.subject
    message["Date"] = format_datetime(datetime.fromtimestamp(envelope.sent_at_ms / 1000, UTC))
    message["Message-ID"] = envelope.message_id
    message["List-Unsubscribe"] = f"<{envelope.unsubscribe_url}>"
    message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    return message
