"""Query parameters of the sync-error listings (reference §7.3), checked and normalised."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ecombridge.errors import ValidationFailed
from ecombridge.limits import MAX_BIGINT

OBJECT_TYPES = ("CONTACT", "PRODUCT", "DEAL", "LINE_ITEM")
# v1's path enum is HubSpot's generic object type list; only the four above ever hold errors.
V1_OBJECT_TYPES = (
    *OBJECT_TYPES,
    "COMPANY", "ENGAGEMENT", "TICKET", "OWNER", "BET_DELIVERABLE_SERVICE", "CONTENT",
    "CONVERSATION", "BET_ALERT", "PORTAL", "QUOTE", "FORM_SUBMISSION_INBOUNDDB", "QUOTA",
    "UNSUBSCRIBE", "COMMUNICATION", "FEEDBACK_SUBMISSION", "ATTRIBUTION",
    "SALESFORCE_SYNC_ERROR", "RESTORABLE_CRM_OBJECT", "HUB", "LANDING_PAGE", "UNKNOWN",
)  # fmt: skip
ERROR_TYPES = (
    "UNKNOWN_ERROR", "INACTIVE_PORTAL", "NO_SYNC_SETTINGS", "SETTINGS_NOT_ENABLED",
    "BAD_SETTINGS", "EMPTY_MESSAGE", "NO_MAPPINGS_DEFINED", "MISSING_REQUIRED_PROPERTY",
    "NO_PROPERTIES_DEFINED", "NO_DEFINED_PROPERTIES", "INVALID_ASSOCIATION_PROPERTY",
    "MISSING_ASSOCIATED_OBJECT", "INVALID_DEAL_STAGE", "INVALID_EMAIL_ADDRESS",
    "PORTAL_NOT_SYNC_ENABLED", "CREATE_FAIL_NO_INFO", "UPDATE_FAIL_NO_INFO",
    "DELETE_FAIL_NO_INFO", "INVALID_ENUM_PROPERTY", "ERROR_INVALID_DATE_PROPERTY",
)  # fmt: skip
MAX_LIMIT = 200


@dataclass(frozen=True)
class RawFilters:
    """The listing parameters as the query string carried them."""

    object_type: str | None = None
    error_type: str | None = None
    include_resolved: str | None = None
    show_resolved_errors: str | None = None
    limit: str | None = None
    offset: str | None = None
    page: str | None = None


@dataclass(frozen=True)
class Filters:
    object_type: str | None
    error_type: str | None
    include_resolved: bool
    start: int  # 0-based index of the first error of the page
    limit: int


def parse_bool(value: str | None, name: str) -> bool:
    if value is None or value == "":
        return False
    lowered = value.strip().lower()
    if lowered in ("true", "1"):
        return True
    if lowered in ("false", "0"):
        return False
    raise ValidationFailed(f"{name} must be true or false, got {value!r}.")


def parse_int(value: str, name: str, minimum: int) -> int:
    text = value.strip()
    if not re.fullmatch(r"-?[0-9]{1,20}", text):
        raise ValidationFailed(f"{name} must be an integer, got {value!r}.")
    number = int(text)
    if number < minimum:
        raise ValidationFailed(f"{name} must be at least {minimum}, got {number}.")
    if number > MAX_BIGINT:
        raise ValidationFailed(f"{name} must be at most {MAX_BIGINT}, got {number}.")
    return number


def parse_choice(value: str | None, name: str, allowed: tuple[str, ...]) -> str | None:
    if value is None or value == "":
        return None
    if value not in allowed:
        raise ValidationFailed(
            f"{name} {value!r} is not valid; allowed values: {', '.join(allowed)}."
        )
    return value


def parse_filters(raw: RawFilters, *, v1: bool = False) -> Filters:
    """Check every parameter. ``limit`` above 200 is clamped to 200 (HubSpot's maximum);
    ``offset`` (0-based) wins over ``page`` (a 1-based record offset, start = page - 1)."""
    limit = MAX_LIMIT if not raw.limit else min(parse_int(raw.limit, "limit", 1), MAX_LIMIT)
    if raw.offset:
        start = parse_int(raw.offset, "offset", 0)
    elif raw.page:
        start = parse_int(raw.page, "page", 1) - 1
    else:
        start = 0
    include_resolved = parse_bool(raw.include_resolved, "includeResolved") or parse_bool(
        raw.show_resolved_errors, "showResolvedErrors"
    )
    return Filters(
        object_type=parse_choice(
            raw.object_type, "objectType", V1_OBJECT_TYPES if v1 else OBJECT_TYPES
        ),
        error_type=parse_choice(raw.error_type, "errorType", ERROR_TYPES),
        include_resolved=include_resolved,
        start=start,
        limit=limit,
    )
