"""Wire models of the CRM write, batch and v4 association endpoints, named and spelled as
HubSpot's API (and the ``hubspot-api-client`` models) names them. They document the endpoints
(request bodies and answers per status code in the OpenAPI description); the endpoints check
bodies themselves (``inputs``), so every error names its field in HubSpot's error shape."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

Value = str | float | bool | None
Category = Literal["HUBSPOT_DEFINED", "USER_DEFINED", "INTEGRATOR_DEFINED"]
Status = Literal["PENDING", "PROCESSING", "CANCELED", "COMPLETE"]


class Wire(BaseModel):
    model_config = ConfigDict(populate_by_name=True)


# --- requests ----------------------------------------------------------------------------------


class AssociationSpec(Wire):
    associationCategory: Category
    associationTypeId: int


class PublicObjectId(Wire):
    id: str


class PublicAssociationsForObject(Wire):
    to: PublicObjectId
    types: list[AssociationSpec]


class SimplePublicObjectInputForCreate(Wire):
    properties: dict[str, Value]
    associations: list[PublicAssociationsForObject] = []


class SimplePublicObjectBatchInputForCreate(SimplePublicObjectInputForCreate):
    objectWriteTraceId: str | None = None


class SimplePublicObjectInput(Wire):
    properties: dict[str, Value]


class SimplePublicObjectBatchInput(Wire):
    id: str
    idProperty: str | None = None
    objectWriteTraceId: str | None = None
    properties: dict[str, Value]


class SimplePublicObjectBatchInputUpsert(SimplePublicObjectBatchInput):
    pass


class BatchInputSimplePublicObjectBatchInputForCreate(Wire):
    inputs: list[SimplePublicObjectBatchInputForCreate] = Field(max_length=100)


class BatchInputSimplePublicObjectBatchInput(Wire):
    inputs: list[SimplePublicObjectBatchInput] = Field(max_length=100)


class BatchInputSimplePublicObjectBatchInputUpsert(Wire):
    inputs: list[SimplePublicObjectBatchInputUpsert] = Field(max_length=100)


class BatchInputSimplePublicObjectId(Wire):
    inputs: list[PublicObjectId] = Field(max_length=100)


class BatchReadInputSimplePublicObjectId(Wire):
    inputs: list[PublicObjectId] = Field(max_length=100)
    properties: list[str] = []
    propertiesWithHistory: list[str] = []
    idProperty: str | None = None


class PublicAssociationMultiPost(Wire):
    from_: PublicObjectId = Field(alias="from")
    to: PublicObjectId
    types: list[AssociationSpec]


class BatchInputPublicAssociationMultiPost(Wire):
    inputs: list[PublicAssociationMultiPost] = Field(max_length=1000)


class PublicDefaultAssociationMultiPost(Wire):
    from_: PublicObjectId = Field(alias="from")
    to: PublicObjectId


class BatchInputPublicDefaultAssociationMultiPost(Wire):
    inputs: list[PublicDefaultAssociationMultiPost] = Field(max_length=1000)


class PublicAssociationMultiArchive(Wire):
    from_: PublicObjectId = Field(alias="from")
    to: list[PublicObjectId]


class BatchInputPublicAssociationMultiArchive(Wire):
    inputs: list[PublicAssociationMultiArchive] = Field(max_length=1000)


class PublicFetchAssociationsBatchRequest(Wire):
    id: str
    after: str | None = None


class BatchInputPublicFetchAssociationsBatchRequest(Wire):
    inputs: list[PublicFetchAssociationsBatchRequest] = Field(max_length=1000)


# --- answers -----------------------------------------------------------------------------------


class ErrorDetail(Wire):
    message: str
    code: str | None = None
    in_: str | None = Field(default=None, alias="in")
    context: dict[str, list[str]] | None = None
    subCategory: str | None = None


class Error(Wire):
    """Every error answer (4xx)."""

    status: Literal["error"]
    message: str
    correlationId: str
    requestId: str
    category: str
    errors: list[ErrorDetail] | None = None


class StandardError(Wire):
    """One failed input of a batch."""

    status: Literal["error"]
    category: str
    message: str
    context: dict[str, list[str]]
    errors: list[ErrorDetail]
    links: dict[str, str]
    subCategory: str | None = None


class SimplePublicObject(Wire):
    id: str
    properties: dict[str, str | None]
    createdAt: str
    updatedAt: str
    archived: bool
    archivedAt: str | None = None
    objectWriteTraceId: str | None = None


class SimplePublicUpsertObject(SimplePublicObject):
    new: bool


class BatchResponse(Wire):
    status: Status
    startedAt: str
    completedAt: str


class WithErrors(Wire):
    numErrors: int
    errors: list[StandardError]


class BatchResponseSimplePublicObject(BatchResponse):
    results: list[SimplePublicObject]


class BatchResponseSimplePublicObjectWithErrors(BatchResponseSimplePublicObject, WithErrors):
    pass


class BatchResponseSimplePublicUpsertObject(BatchResponse):
    results: list[SimplePublicUpsertObject]


class BatchResponseSimplePublicUpsertObjectWithErrors(
    BatchResponseSimplePublicUpsertObject, WithErrors
):
    pass


class LabelsBetweenObjectPair(Wire):
    fromObjectTypeId: str
    fromObjectId: int
    toObjectTypeId: str
    toObjectId: int
    labels: list[str]


class BatchResponseLabelsBetweenObjectPair(BatchResponse):
    results: list[LabelsBetweenObjectPair]


class BatchResponseLabelsBetweenObjectPairWithErrors(
    BatchResponseLabelsBetweenObjectPair, WithErrors
):
    pass


class PublicDefaultAssociation(Wire):
    from_: PublicObjectId = Field(alias="from")
    to: PublicObjectId
    associationSpec: AssociationSpec


class BatchResponsePublicDefaultAssociation(BatchResponse):
    """Failed inputs are listed in ``errors`` of this 200 answer, as HubSpot's model has it."""

    results: list[PublicDefaultAssociation]
    numErrors: int | None = None
    errors: list[StandardError] | None = None


class AssociationSpecWithLabel(Wire):
    category: Category
    typeId: int
    label: str | None


class MultiAssociatedObjectWithLabel(Wire):
    toObjectId: int
    associationTypes: list[AssociationSpecWithLabel]


class NextPage(Wire):
    after: str
    link: str | None = None


class Paging(Wire):
    next: NextPage


class PublicAssociationMultiWithLabel(Wire):
    from_: PublicObjectId = Field(alias="from")
    to: list[MultiAssociatedObjectWithLabel]
    paging: Paging | None = None


class BatchResponsePublicAssociationMultiWithLabel(BatchResponse):
    results: list[PublicAssociationMultiWithLabel]


class BatchResponsePublicAssociationMultiWithLabelWithErrors(
    BatchResponsePublicAssociationMultiWithLabel, WithErrors
):
    pass


# --- OpenAPI -----------------------------------------------------------------------------------


def request_body(model: type[BaseModel] | Any, description: str = "") -> dict[str, Any]:
    """``openapi_extra`` documenting a JSON request body of ``model`` (a model, or a list of
    one as ``list[Model]``), its schema inlined."""
    schema = _inline(_schema(model))
    body: dict[str, Any] = {"required": True, "content": {"application/json": {"schema": schema}}}
    if description:
        body["description"] = description
    return {"requestBody": body}


def _schema(model: Any) -> dict[str, Any]:
    return TypeAdapter(model).json_schema(by_alias=True)


def _inline(schema: dict[str, Any]) -> dict[str, Any]:
    definitions = schema.pop("$defs", {})

    def resolve(node: Any) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/$defs/"):
                return resolve(definitions[ref.removeprefix("#/$defs/")])
            return {key: resolve(value) for key, value in node.items()}
        if isinstance(node, list):
            return [resolve(value) for value in node]
        return node

    resolved: dict[str, Any] = resolve(schema)
    return resolved


def answers(*pairs: tuple[int, type[BaseModel], str]) -> dict[int | str, dict[str, Any]]:
    """``responses`` of a route: (status, model, description) besides HubSpot's error body."""
    documented: dict[int | str, dict[str, Any]] = {
        status: {"model": model, "description": description} for status, model, description in pairs
    }
    documented[400] = {"model": Error, "description": "Invalid input; the message names it."}
    documented[401] = {"model": Error, "description": "Missing or unknown credentials."}
    return documented
