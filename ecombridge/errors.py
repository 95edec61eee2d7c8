"""The bridge's one error type.

Services raise these; the HTTP edge renders them in HubSpot's error shape
(``{"status": "error", "message", "correlationId", "requestId", "category", "errors"?}``).
Each kind carries the status code and category it is reported with, so no service needs to know
about HTTP.
"""

from __future__ import annotations

from typing import Any


class BridgeError(Exception):
    http_status = 400
    category = "VALIDATION_ERROR"

    def __init__(
        self,
        message: str,
        *,
        errors: list[dict[str, Any]] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.errors = errors
        self.headers = headers


class ValidationFailed(BridgeError):
    """The request is malformed: the message says which field and what to fix."""


class NotFound(BridgeError):
    http_status = 404
    category = "OBJECT_NOT_FOUND"


class Conflict(BridgeError):
    http_status = 409
    category = "CONFLICT"


class AuthenticationFailed(BridgeError):
    """No credential, an unknown one, or one that expired or was revoked."""

    http_status = 401
    category = "INVALID_AUTHENTICATION"


class WrongCredentialKind(BridgeError):
    """A valid credential of a kind this endpoint does not take."""

    http_status = 403
    category = "INVALID_AUTHENTICATION"


class MissingScopes(BridgeError):
    http_status = 403
    category = "MISSING_SCOPES"


class PayloadTooLarge(BridgeError):
    http_status = 413
    category = "VALIDATION_ERROR"


class QueueFull(BridgeError):
    """Backpressure: the batches waiting to be applied reached their ceiling; retry later."""

    http_status = 429
    category = "RATE_LIMITS"


class StorageFull(BridgeError):
    """The database's disk is full: nothing can be stored until space is freed."""

    http_status = 503
    category = "SERVICE_UNAVAILABLE"
