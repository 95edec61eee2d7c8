"""Import pages decoded with msgspec: the hot path of receiving them.

A page body is decoded straight from the request's bytes into strict shapes: every field typed,
no field the shapes do not name, property values scalars, ids checked as the pydantic models of
``ecombridge.imports.schemas`` check them. A body that does not fit exactly (a wrong type, a bad
id, an unknown or snake_case field, a nested property value, ``NaN``, a NUL character, ...) gets
``None`` here, and the caller validates it with those pydantic models instead, which give the
error (or accept what these shapes are too strict for). So every body is answered as the
pydantic models alone would answer it, and a valid page costs a fraction of their time.

Why the shapes are strict rather than lenient: pydantic sees the body as ``json.loads`` parsed
it, so anything msgspec might read differently (``NaN``, lone surrogates, a deeply nested
unknown field, which the JSON body check rejects) must leave the fast path.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, Generic, Literal, TypeVar

import msgspec
from msgspec import UNSET, UnsetType

from ecombridge.imports.schemas import (
    MAX_ID_LENGTH,
    V1_PAGE_LIMIT,
    V2_PAGE_LIMIT,
    ImportPage,
    V1ImportMessage,
)
from ecombridge.limits import MAX_BIGINT, MAX_INT32
from ecombridge.sync.messages import Message

OBJECT_TYPE_NAMES = frozenset(("PRODUCT", "CONTACT", "LINE_ITEM", "DEAL"))
_NUL_ESCAPE = b"\\u0000"  # json.loads turns it into NUL, which the JSON body check refuses
_UNDECODABLE = (msgspec.MsgspecError, ValueError, RecursionError)
UPSERT: Literal["UPSERT"] = "UPSERT"

Scalar = str | int | float | bool | None
# Lengths are checked by msgspec; ASCII (and the length of integer ids) in Python.
IdText = Annotated[str, msgspec.Meta(min_length=1, max_length=MAX_ID_LENGTH)]
AnyId = IdText | int
Id = TypeVar("Id", IdText, AnyId)
T = TypeVar("T")
U = TypeVar("U")


class _Strict(msgspec.Struct, forbid_unknown_fields=True):
    pass


class FastImportMessage(_Strict, Generic[Id]):
    externalObjectId: Id
    properties: dict[str, Scalar] | None = None
    associations: dict[str, list[Id]] | None = None
    # Ignored, as pydantic ignores them: sync-message fields, hubspot-php's misspelled key.
    action: Scalar = None
    changedAt: Scalar = None
    assocations: dict[str, list[Scalar]] | Scalar = None


class FastImportPage(_Strict, Generic[Id]):
    storeId: IdText | int | UnsetType = UNSET
    accountId: IdText | int | UnsetType = UNSET
    importStartedAt: int | UnsetType = UNSET
    objectType: str | UnsetType = UNSET
    pageNumber: int | None = None
    portalId: int | None = None
    messages: list[FastImportMessage[Id]] | UnsetType = UNSET


class FastV1ImportMessage(_Strict, Generic[Id]):
    integratorObjectId: Id
    propertyNameToValues: dict[str, Scalar] | UnsetType | None = UNSET
    propertyNamesToValues: dict[str, Scalar] | UnsetType | None = UNSET
    action: Scalar = None
    changeOccurredTimestamp: Scalar = None


# Text ids only: the common case, converted without a loop over the ids when the body is ASCII.
# Either kind of id: converted id by id (ids sent as numbers are stored as strings).
_v2_text_ids = msgspec.json.Decoder(FastImportPage[IdText])
_v2_any_ids = msgspec.json.Decoder(FastImportPage[AnyId])
_v1_text_ids = msgspec.json.Decoder(list[FastV1ImportMessage[IdText]])
_v1_any_ids = msgspec.json.Decoder(list[FastV1ImportMessage[AnyId]])


@dataclass(frozen=True)
class ReceivedPage:
    """A valid v2 page, whichever way it was validated."""

    store_id: str
    import_started_at: int
    object_type: str
    page_number: int | None
    portal_id: int | None
    messages: list[Message]


V1Item = tuple[str, dict[str, Any]]  # (integratorObjectId, propertyNameToValues)


def from_model(page: ImportPage) -> ReceivedPage:
    return ReceivedPage(
        page.store_id,
        page.import_started_at,
        page.object_type,
        page.page_number,
        page.portal_id,
        [m.to_message(page.import_started_at) for m in page.messages],
    )


def from_v1_models(items: list[V1ImportMessage]) -> list[V1Item]:
    return [(m.integrator_object_id, m.property_name_to_values or {}) for m in items]


def v1_messages(items: list[V1Item], changed_at: int) -> list[Message]:
    return [Message(external_id, "UPSERT", changed_at, props, {}) for external_id, props in items]


def _id(value: str | int) -> str | None:
    """An id as the pydantic models store it, or None when they would refuse it."""
    if type(value) is str:
        return value if value.isascii() else None
    text = str(value)  # an integer: ASCII, but maybe longer than allowed
    return text if len(text) <= MAX_ID_LENGTH else None


def _decode(
    text_ids: msgspec.json.Decoder[T], any_ids: msgspec.json.Decoder[U], body: bytes
) -> tuple[T | U, bool] | None:
    """(the decoded body, whether its ids are all ASCII text), or None off the fast path."""
    if _NUL_ESCAPE in body:
        return None
    try:
        decoded: T | U = text_ids.decode(body)
    except msgspec.ValidationError:  # maybe ids sent as numbers
        try:
            return any_ids.decode(body), False
        except _UNDECODABLE:
            return None
    except _UNDECODABLE:
        return None
    # All of an ASCII body's strings are ASCII, unless it escapes other characters (\u00e9).
    return decoded, body.isascii() and b"\\u" not in body


def _messages(sent: list[FastImportMessage[Any]], at: int, ascii_ids: bool) -> list[Message] | None:
    if ascii_ids:
        return [
            Message(m.externalObjectId, UPSERT, at, m.properties or {}, m.associations or {})
            for m in sent
        ]
    messages = []
    for m in sent:
        external_id = _id(m.externalObjectId)
        if external_id is None:
            return None
        associations: dict[str, list[str]] = {}
        if m.associations:
            for object_type, ids in m.associations.items():
                associated = []
                for sent_id in ids:
                    checked = _id(sent_id)
                    if checked is None:
                        return None
                    associated.append(checked)
                associations[object_type] = associated
        props = m.properties or {}
        messages.append(Message(external_id, UPSERT, at, props, associations))
    return messages


def fast_v2_page(body: bytes) -> ReceivedPage | None:
    """The page, or None when the pydantic path must judge the body."""
    decoded = _decode(_v2_text_ids, _v2_any_ids, body)
    if decoded is None:
        return None
    page, ascii_ids = decoded
    store_id = page.storeId
    if store_id is UNSET:
        store_id = page.accountId
    elif page.accountId is not UNSET:
        return None  # both: which one wins is pydantic's call
    started_at, object_type, sent = page.importStartedAt, page.objectType, page.messages
    number = page.pageNumber
    if (
        store_id is UNSET
        or started_at is UNSET
        or not 0 <= started_at <= MAX_BIGINT
        or object_type is UNSET
        or object_type not in OBJECT_TYPE_NAMES
        or sent is UNSET
        or len(sent) > V2_PAGE_LIMIT
        or (number is not None and not 0 <= number <= MAX_INT32)
    ):
        return None
    if type(store_id) is int:
        store_id = str(store_id)
        if len(store_id) > MAX_ID_LENGTH:
            return None
    messages = _messages(sent, started_at, ascii_ids)
    if messages is None:
        return None
    assert isinstance(store_id, str)
    return ReceivedPage(store_id, started_at, object_type, number, page.portalId, messages)


def fast_v1_page(body: bytes) -> list[V1Item] | None:
    """A v1 page's messages, or None when the pydantic path must judge the body."""
    decoded = _decode(_v1_text_ids, _v1_any_ids, body)
    if decoded is None:
        return None
    sent, ascii_ids = decoded
    if len(sent) > V1_PAGE_LIMIT:
        return None
    items: list[V1Item] = []
    for m in sent:
        sent_id = m.integratorObjectId
        external_id = sent_id if ascii_ids and isinstance(sent_id, str) else _id(sent_id)
        if external_id is None:
            return None
        props = m.propertyNameToValues
        if props is UNSET:
            props = m.propertyNamesToValues
        elif m.propertyNamesToValues is not UNSET:
            return None  # both spellings: which one wins is pydantic's call
        items.append((external_id, {} if props is UNSET or props is None else props))
    return items
