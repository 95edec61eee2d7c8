"""Wire models of the import endpoints (reference §3 rows 14-15, §4 rows 15-17, §5.6, §6.4)."""

from __future__ import annotations

from typing import Annotated, Any, Literal, TypeVar

from pydantic import (
    AliasChoices,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    TypeAdapter,
    ValidationError,
)

from ecombridge.errors import ValidationFailed
from ecombridge.limits import MAX_BIGINT, MAX_INT32
from ecombridge.sync.messages import Message

M = TypeVar("M")

ObjectTypeName = Literal["PRODUCT", "CONTACT", "LINE_ITEM", "DEAL"]
MAX_ID_LENGTH = 100
V2_PAGE_LIMIT = 200
V1_PAGE_LIMIT = 500


def _external_id(value: Any) -> str:
    """Ids may arrive as JSON numbers (reference §2.3); stored as strings."""
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise ValueError("must be a string (or an integer)")
    text = str(value)
    if not 1 <= len(text) <= MAX_ID_LENGTH:
        raise ValueError(f"must be 1 to {MAX_ID_LENGTH} characters, got {len(text)}")
    if not text.isascii():
        raise ValueError("must be ASCII")
    return text


def _association_ids(value: Any) -> dict[str, list[str]]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ValueError("must be an object of lists of external ids")
    result: dict[str, list[str]] = {}
    for object_type, ids in value.items():
        if not isinstance(ids, list):
            raise ValueError(f"{object_type}: must be a list of external ids")
        result[str(object_type)] = [_external_id(i) for i in ids]
    return result


def _store_id(value: Any) -> Any:
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


ExternalId = Annotated[str, BeforeValidator(_external_id)]
AssociationIds = Annotated[dict[str, list[str]] | None, BeforeValidator(_association_ids)]
StoreId = Annotated[str, BeforeValidator(_store_id), Field(min_length=1, max_length=MAX_ID_LENGTH)]


class _Lenient(BaseModel):
    # Unknown fields are ignored (clients add their own, reference §2.3).
    model_config = ConfigDict(extra="ignore", populate_by_name=True)


class StartImport(_Lenient):
    store_id: StoreId = Field(alias="storeId")


class ImportMessage(_Lenient):
    """A v2 import message: a sync message without action or changedAt (always an upsert)."""

    external_object_id: ExternalId = Field(alias="externalObjectId")
    properties: dict[str, Any] | None = None
    associations: AssociationIds = None

    def to_message(self, changed_at: int) -> Message:
        return Message(
            self.external_object_id,
            "UPSERT",
            changed_at,
            self.properties or {},
            self.associations or {},
        )


class V1ImportMessage(_Lenient):
    integrator_object_id: ExternalId = Field(alias="integratorObjectId")
    property_name_to_values: dict[str, Any] | None = Field(
        default=None,
        validation_alias=AliasChoices("propertyNameToValues", "propertyNamesToValues"),
    )

    def to_message(self, changed_at: int) -> Message:
        return Message(
            self.integrator_object_id, "UPSERT", changed_at, self.property_name_to_values or {}, {}
        )


class ImportPage(_Lenient):
    store_id: StoreId = Field(validation_alias=AliasChoices("storeId", "accountId"))
    import_started_at: int = Field(alias="importStartedAt", ge=0, le=MAX_BIGINT)
    object_type: ObjectTypeName = Field(alias="objectType")
    page_number: int | None = Field(default=None, alias="pageNumber", ge=0, le=MAX_INT32)
    portal_id: int | None = Field(default=None, alias="portalId")
    messages: list[ImportMessage] = Field(max_length=V2_PAGE_LIMIT)


class ImportEnd(_Lenient):
    store_id: StoreId = Field(validation_alias=AliasChoices("storeId", "accountId"))
    import_started_at: int = Field(alias="importStartedAt", ge=0, le=MAX_BIGINT)
    object_type: ObjectTypeName = Field(alias="objectType")
    portal_id: int | None = Field(default=None, alias="portalId")
    page_count: int = Field(alias="pageCount", ge=0, le=MAX_INT32)
    item_count: int = Field(alias="itemCount", ge=0, le=MAX_BIGINT)


class V1ImportEnd(_Lenient):
    page_count: int = Field(alias="pageCount", ge=0, le=MAX_INT32)
    item_count: int = Field(alias="itemCount", ge=0, le=MAX_BIGINT)


def v1_page_as_sent(messages: list[Message]) -> list[dict[str, Any]]:
    """A stored page in the v1 shape, for GET of a v1 page."""
    return [
        {"integratorObjectId": m.external_id, "propertyNameToValues": m.properties}
        for m in messages
    ]


def _where(loc: tuple[int | str, ...]) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "body"


def parse(model: type[M] | TypeAdapter[M], body: Any) -> M:
    """Validate a parsed JSON body; a 400 names each bad field (``messages[3].properties``)."""
    adapter = model if isinstance(model, TypeAdapter) else TypeAdapter(model)
    if body is None:
        raise ValidationFailed("body: a JSON body is required.")
    try:
        return adapter.validate_python(body)
    except ValidationError as exc:
        problems = []
        for err in exc.errors(include_url=False):
            message = str(err["msg"]).removeprefix("Value error, ")
            problems.append({"message": f"{_where(tuple(err['loc']))}: {message}"})
        summary = "; ".join(p["message"] for p in problems[:5])
        raise ValidationFailed(f"Invalid input: {summary}", errors=problems) from None


V1_PAGE: TypeAdapter[list[V1ImportMessage]] = TypeAdapter(
    Annotated[list[V1ImportMessage], Field(max_length=V1_PAGE_LIMIT)]
)
