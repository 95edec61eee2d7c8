"""Intake rules: validate a sync request's envelope, normalise its messages, file the batch.

Only the envelope is checked here (reference §5.3, §6.2, §2.6); what the messages mean (settings,
mappings, property values, associations' targets) is judged when the batch is applied, and
reported through sync status and errors, as HubSpot did. The first bad field is reported, named
with the message index: ``messages[3].externalObjectId: longer than 100 characters``.
"""

from __future__ import annotations

import math
from typing import Any

import msgspec
from sqlalchemy.engine import Connection

from ecombridge.errors import NotFound, ValidationFailed
from ecombridge.limits import MAX_BIGINT
from ecombridge.queue import service as queue
from ecombridge.stores import service as stores
from ecombridge.sync import repository as repo
from ecombridge.sync.messages import OBJECT_TYPES, BatchContext, Message, encode_messages
from ecombridge.sync.schemas import (
    V1SyncMessage,
    V2SyncMessage,
    strict_v2_request_decoder,
    v1_request_decoder,
    v2_request_decoder,
)
from ecombridge.sync.storable import NUL_ESCAPE, check_messages

MAX_MESSAGES = 200
# A change stamped later than this after its arrival is refused: it would win every later
# change of the object (last writer wins by changedAt) until that moment.
MAX_FUTURE_MS = 24 * 3_600_000
MAX_EXTERNAL_ID_LENGTH = 100
DEFAULT_STORE_ID = "default"
_ACTIONS = frozenset(("UPSERT", "DELETE"))
_OBJECT_TYPES = frozenset(OBJECT_TYPES)
_TYPE_LIST = ", ".join(OBJECT_TYPES)


def invalid(where: str, problem: str) -> ValidationFailed:
    message = f"{where}: {problem}"
    return ValidationFailed(message, errors=[{"message": message, "in": where}])


def parse_v2(body: bytes, received_at: int) -> tuple[str, str, list[Message]]:
    """A v2 body -> (storeId as sent, objectType, normalised messages), all storable."""
    parsed = parse_strict_v2(body, received_at)
    if parsed is None:
        parsed = parse_lenient_v2(body, received_at)
    store_id, _object_type, messages = parsed
    if NUL_ESCAPE in body and "\x00" in store_id:
        raise invalid("storeId", "contains a NUL character (\\u0000), which cannot be stored")
    check_messages(messages, body)
    return parsed


def parse_lenient_v2(body: bytes, received_at: int) -> tuple[str, str, list[Message]]:
    """``parse_v2`` for any body: every field checked in Python, errors worded."""
    request = _decode(v2_request_decoder, body, "a JSON object")
    object_type = check_object_type(request.objectType, "objectType")
    store_id = request.storeId
    if store_id is None or store_id == "":
        raise invalid("storeId", "missing; name the store the messages belong to")
    if request.messages is None:
        raise invalid("messages", "missing; send an array of sync messages")
    _check_count(len(request.messages))
    return (
        str(store_id),
        object_type,
        [_v2_message(m, i, received_at) for i, m in enumerate(request.messages)],
    )


def parse_strict_v2(body: bytes, received_at: int) -> tuple[str, str, list[Message]] | None:
    """The fast path: a body in the strict shape is checked by msgspec as it is decoded and
    turned into messages in C (``convert``); the only Python per message fills a missing
    changedAt and checks that the id is ASCII. None: decode it leniently instead."""
    try:
        request = strict_v2_request_decoder.decode(body)
    except (msgspec.ValidationError, msgspec.DecodeError, RecursionError, UnicodeDecodeError):
        return None
    latest = received_at + MAX_FUTURE_MS
    for sent in request.messages:
        if sent.changed_at is None:
            sent.changed_at = received_at
        elif sent.changed_at > latest:
            return None  # worded by the lenient path
        if not sent.external_id.isascii():
            return None
    messages = msgspec.convert(request.messages, list[Message], from_attributes=True)
    return request.storeId, request.objectType, messages


def parse_v1(body: bytes, object_type: str, received_at: int) -> tuple[str, list[Message]]:
    """A v1 body (a bare array) for the path's objectType -> (objectType, messages)."""
    object_type = check_object_type(object_type, "objectType")
    sent = _decode(v1_request_decoder, body, "a JSON array")
    _check_count(len(sent))
    messages = [_v1_message(m, i, received_at) for i, m in enumerate(sent)]
    check_messages(
        messages, body, id_field="integratorObjectId", properties_field="propertyNameToValues"
    )
    return object_type, messages


def check_object_type(value: object, where: str) -> str:
    if value is None or value == "":
        raise invalid(where, f"missing; one of {_TYPE_LIST}")
    if value not in _OBJECT_TYPES:
        raise invalid(where, f"{value!r} is not one of {_TYPE_LIST} (upper case)")
    return str(value)


def resolve_store(conn: Connection, portal_id: int, source_app_id: int, store_id: str) -> str:
    """The store the batch is filed under; an unknown store is a client error here (400)."""
    try:
        return stores.resolve_store(conn, portal_id, source_app_id, store_id)
    except NotFound as exc:
        raise invalid("storeId", f"unknown store {store_id!r}: {exc.message}") from None


def accept_batch(
    conn: Connection, ctx: BatchContext, messages: list[Message], received_at: int
) -> int:
    """Store the batch and queue its application, in the caller's transaction (on the main
    database; see ``inbox_row`` for a SQLite inbox)."""
    batch_id = repo.insert_batch(conn, ctx, len(messages), encode_messages(messages), received_at)
    queue.enqueue(conn, queue.SYNC_BATCH, batch_id, ctx.portal_id, now=received_at)
    return batch_id


def inbox_row(ctx: BatchContext, messages: list[Message], received_at: int) -> tuple[Any, ...]:
    """The batch as a row of a SQLite inbox (``ecombridge.db.inbox.BATCH_COLUMNS``)."""
    return (
        ctx.portal_id,
        ctx.source_app_id,
        ctx.store_id,
        ctx.object_type,
        len(messages),
        encode_messages(messages),
        received_at,
    )


# -- decoding and normalising ------------------------------------------------------------------


def _decode(decoder: Any, body: bytes, expected: str) -> Any:
    if not body.strip():
        raise invalid("body", f"empty; send {expected}")
    try:
        return decoder.decode(body)
    except msgspec.ValidationError as exc:
        raise _from_msgspec(str(exc), expected) from None
    except msgspec.DecodeError as exc:
        raise invalid("body", f"not valid JSON ({exc})") from None
    except UnicodeDecodeError as exc:
        raise invalid("body", f"not valid UTF-8 (byte {exc.start}: {exc.reason})") from None
    except RecursionError:
        raise invalid("body", "nested too deeply") from None


def _from_msgspec(text: str, expected: str) -> ValidationFailed:
    """msgspec says ``Expected `str | int | null`, got `array` - at `$.messages[3].action```."""
    problem, _, path = text.partition(" - at `$")
    where = path.rstrip("`").lstrip(".") or "body"
    if where.startswith("["):  # v1: the body is the array of messages
        where = "messages" + where
    problem = problem.replace("`", "").replace(" | null", "").replace("Expected", "expected")
    if where == "body":
        problem = problem.replace("expected object", f"expected {expected}").replace(
            "expected array", f"expected {expected}"
        )
    return invalid(where, problem)


def _check_count(count: int) -> None:
    if count > MAX_MESSAGES:
        raise invalid("messages", f"{count} messages; send at most {MAX_MESSAGES} per request")


def _v2_message(sent: V2SyncMessage, index: int, received_at: int) -> Message:
    return Message(
        external_id=_external_id(sent.externalObjectId, index, "externalObjectId"),
        action=_action(sent.action, index),
        changed_at=_timestamp(sent.changedAt, index, "changedAt", received_at),
        properties=sent.properties if sent.properties is not None else {},
        associations=_associations(sent.associations, index),
    )


def _v1_message(sent: V1SyncMessage, index: int, received_at: int) -> Message:
    properties = sent.propertyNameToValues
    if properties is None:
        properties = sent.propertyNamesToValues
    return Message(
        external_id=_external_id(sent.integratorObjectId, index, "integratorObjectId"),
        action=_action(sent.action, index),
        changed_at=_timestamp(
            sent.changeOccurredTimestamp, index, "changeOccurredTimestamp", received_at
        ),
        properties=properties if properties is not None else {},
        associations={},
    )


def _external_id(value: str | int | None, index: int, field: str) -> str:
    if value is None or value == "":
        raise invalid(f"messages[{index}].{field}", "missing or empty")
    text = value if isinstance(value, str) else str(value)
    if len(text) > MAX_EXTERNAL_ID_LENGTH:
        raise invalid(
            f"messages[{index}].{field}", f"longer than {MAX_EXTERNAL_ID_LENGTH} characters"
        )
    if not text.isascii():
        raise invalid(f"messages[{index}].{field}", "must be ASCII")
    return text


def _action(value: str | None, index: int) -> Any:
    if value not in _ACTIONS:
        shown = "missing" if value is None else f"{value!r} is not"
        raise invalid(f"messages[{index}].action", f"{shown} one of UPSERT, DELETE")
    return value


def _timestamp(value: int | float | str | None, index: int, field: str, default: int) -> int:
    if value is None:
        return default
    if isinstance(value, int):
        stamp = value
    else:
        try:
            number = float(value) if isinstance(value, float) else _numeric(value)
        except ValueError:
            number = math.nan
        if not math.isfinite(number):
            raise invalid(
                f"messages[{index}].{field}", f"{value!r} is not a timestamp (epoch milliseconds)"
            )
        stamp = int(number)
    if not 0 <= stamp <= MAX_BIGINT:
        raise invalid(
            f"messages[{index}].{field}", f"{value!r} is not a timestamp (epoch milliseconds)"
        )
    if stamp > default + MAX_FUTURE_MS:
        raise invalid(
            f"messages[{index}].{field}",
            f"{value!r} is more than a day in the future (epoch milliseconds, UTC)",
        )
    return stamp


def _numeric(text: str) -> float:
    text = text.strip()
    try:
        return int(text)
    except ValueError:
        return float(text)


def _associations(value: dict[str, Any] | None, index: int) -> dict[str, list[str]]:
    if not value:
        return {}
    result: dict[str, list[str]] = {}
    for object_type, ids in value.items():
        if object_type not in _OBJECT_TYPES:
            raise invalid(
                f"messages[{index}].associations",
                f"{object_type!r} is not one of {_TYPE_LIST}",
            )
        where = f"messages[{index}].associations.{object_type}"
        if not isinstance(ids, list):
            raise invalid(where, f"expected an array of ids, got {_json_type(ids)}")
        result[object_type] = [_association_id(i, where) for i in ids]
    return result


def _association_id(value: object, where: str) -> str:
    if isinstance(value, str) and value:
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    raise invalid(where, f"ids must be non-empty strings or integers, got {value!r}")


def _json_type(value: object) -> str:
    names = {str: "str", bool: "bool", int: "int", float: "float", dict: "object"}
    return "null" if value is None else names.get(type(value), type(value).__name__)
