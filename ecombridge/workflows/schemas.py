"""Reading a workflow (PUT, a full replace) from its wire shape; bad bodies are a 400 naming the
field: ``emails[1].delayMinutes: ...``. Templates are checked here (``rendering``), so this
module is imported only where workflows are written; answers are rendered by ``wire``."""

from __future__ import annotations

import math
from typing import Any

from ecombridge.stores.service import is_valid_store_id
from ecombridge.workflows.definitions import (
    MAX_DELAY_MINUTES,
    MAX_EMAILS,
    MAX_INACTIVITY_DAYS,
    EmailStep,
    Workflow,
)
from ecombridge.workflows.rendering import check_body, check_subject
from ecombridge.workflows.sandbox import TemplateProblem
from ecombridge.workflows.wire import fail as _fail
from ecombridge.workflows.wire import require_key

FIELDS = ("key", "enabled", "storeIds", "inactivityDays", "emails")
EMAIL_FIELDS = ("delayMinutes", "subject", "bodyTemplate")
MAX_STORES = 100


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    return "an array" if isinstance(value, list) else "an object"


def _no_unknown(body: dict[str, Any], known: tuple[str, ...], where: str) -> None:
    for name in body:
        if name not in known:
            raise _fail(f"{where}{name}", f"is not a field; the fields are {', '.join(known)}.")


def parse_workflow(key: str, body: Any) -> Workflow:
    require_key(key)
    if not isinstance(body, dict):
        raise _fail("body", f"must be a JSON object with {', '.join(FIELDS)}.")
    _no_unknown(body, FIELDS, "")
    if body.get("key", key) != key:
        raise _fail("key", f"must be {key!r} (the workflow of the path), got {body['key']!r}.")
    enabled = body.get("enabled")
    if not isinstance(enabled, bool):
        raise _fail("enabled", f"is required and must be true or false, got {_kind(enabled)}.")
    return Workflow(
        key,
        enabled,
        _emails(body.get("emails")),
        _store_ids(body.get("storeIds")),
        _inactivity_days(body.get("inactivityDays")),
    )


def _store_ids(value: Any) -> tuple[str, ...] | None:
    if value is None:
        return None
    if not isinstance(value, list):
        raise _fail("storeIds", f"must be an array of store ids or null, got {_kind(value)}.")
    if len(value) > MAX_STORES:
        raise _fail("storeIds", f"must list at most {MAX_STORES} stores.")
    for n, store_id in enumerate(value):
        if not isinstance(store_id, str) or not is_valid_store_id(store_id):
            raise _fail(f"storeIds[{n}]", "must be a store id (1-100 printable characters).")
    return tuple(dict.fromkeys(value))


def _inactivity_days(value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise _fail("inactivityDays", f"must be a whole number of days, got {_kind(value)}.")
    if not 1 <= value <= MAX_INACTIVITY_DAYS:
        raise _fail("inactivityDays", f"must be between 1 and {MAX_INACTIVITY_DAYS}.")
    return value


def _emails(value: Any) -> tuple[EmailStep, ...]:
    if not isinstance(value, list):
        raise _fail("emails", f"is required and must be an array, got {_kind(value)}.")
    if not 1 <= len(value) <= MAX_EMAILS:
        raise _fail("emails", f"must hold 1 to {MAX_EMAILS} emails, got {len(value)}.")
    steps = [parse_email(item, f"emails[{n}]") for n, item in enumerate(value)]
    for n in range(1, len(steps)):
        if steps[n].delay_minutes < steps[n - 1].delay_minutes:
            raise _fail(
                f"emails[{n}].delayMinutes",
                "must not be smaller than the delay of the email before it (delays count "
                "from enrolment).",
            )
    return tuple(steps)


def parse_email(item: Any, where: str) -> EmailStep:
    if not isinstance(item, dict):
        raise _fail(where, f"must be an object with {', '.join(EMAIL_FIELDS)}.")
    _no_unknown(item, EMAIL_FIELDS, f"{where}.")
    delay = item.get("delayMinutes")
    if isinstance(delay, bool) or not isinstance(delay, int | float) or not math.isfinite(delay):
        raise _fail(
            f"{where}.delayMinutes", f"is required and must be a number, got {_kind(delay)}."
        )
    if not 0 <= delay <= MAX_DELAY_MINUTES:
        raise _fail(f"{where}.delayMinutes", f"must be between 0 and {MAX_DELAY_MINUTES} (a year).")
    subject = item.get("subject")
    if not isinstance(subject, str) or not subject.strip():
        raise _fail(f"{where}.subject", "is required and must be a non-empty string.")
    body = item.get("bodyTemplate")
    if body is not None and not isinstance(body, str):
        raise _fail(f"{where}.bodyTemplate", f"must be a string or null, got {_kind(body)}.")
    for field, check, source in (
        ("subject", check_subject, subject),
        ("bodyTemplate", check_body, body),
    ):
        if source is None:
            continue
        if "\x00" in source:
            raise _fail(f"{where}.{field}", "must not contain NUL characters.")
        try:
            check(source)
        except TemplateProblem as exc:
            raise _fail(f"{where}.{field}", f"the template {exc}") from None
    return EmailStep(delay, subject, body)
