"""One exception tree for everything the bridge (or the network) can answer.

Every error the server sends is HubSpot's error body; the fields a caller needs (message,
category, correlation id) are lifted onto the exception and the whole body is kept.
"""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import httpx


class BridgeError(Exception):
    """Base class: an error answer from the bridge, or no answer at all."""

    def __init__(
        self,
        message: str,
        *,
        status_code: int | None = None,
        category: str | None = None,
        correlation_id: str | None = None,
        body: Any = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status_code = status_code
        self.category = category
        self.correlation_id = correlation_id
        self.body = body

    def __str__(self) -> str:
        parts = [str(self.status_code)] if self.status_code is not None else []
        if self.category:
            parts.append(self.category)
        prefix = " ".join(parts)
        return f"{prefix}: {self.message}" if prefix else self.message


class BadRequest(BridgeError):
    """400: the request was malformed, or (sync status) the object is not known yet."""


class Unauthorized(BridgeError):
    """401: missing or invalid credentials."""


class Forbidden(BridgeError):
    """403: the credentials are valid but not allowed here (wrong kind or missing scope)."""


class NotFound(BridgeError):
    """404: no such store, settings or resource."""


class Conflict(BridgeError):
    """409: the request conflicts with the current state."""


class PayloadTooLarge(BridgeError):
    """413: the body is larger than the bridge accepts."""


class RateLimited(BridgeError):
    """429: too many requests; ``retry_after`` is the server's hint in seconds, if any."""

    retry_after: float | None = None


class ServerError(BridgeError):
    """5xx: the bridge failed."""


class TransportError(BridgeError):
    """No answer: the connection failed or timed out."""


class ConfigurationError(BridgeError):
    """The client lacks what a call needs (e.g. a developer API key for app settings)."""


_BY_STATUS: dict[int, type[BridgeError]] = {
    400: BadRequest,
    401: Unauthorized,
    403: Forbidden,
    404: NotFound,
    409: Conflict,
    413: PayloadTooLarge,
    429: RateLimited,
}


def error_from_response(response: httpx.Response) -> BridgeError:
    """The exception for a non-2xx answer, built from HubSpot's error body when there is one."""
    try:
        body: Any = response.json()
    except ValueError:
        body = response.text or None
    fields = body if isinstance(body, dict) else {}
    status = response.status_code
    message = fields.get("message") or (body if isinstance(body, str) and body else None)
    category = fields.get("category") or fields.get("errorType")
    if status >= 500:
        cls: type[BridgeError] = ServerError
    else:
        cls = _BY_STATUS.get(status, BridgeError)
    error = cls(
        str(message or f"HTTP {status} {response.reason_phrase}".strip()),
        status_code=status,
        category=str(category) if category else None,
        correlation_id=fields.get("correlationId"),
        body=body,
    )
    if isinstance(error, RateLimited):
        error.retry_after = parse_retry_after(response.headers.get("retry-after"))
    return error


def parse_retry_after(value: str | None) -> float | None:
    """``Retry-After`` as seconds: a number, or an HTTP date (seconds from now)."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())
