"""The request bodies of the API, as JSON Schema, for the OpenAPI document.

Endpoints read their bodies leniently and check them themselves (every error names its field),
so FastAPI cannot describe them; this module does, keyed by method and path template. A test
checks that every operation taking a body has one here.
"""

from __future__ import annotations

from typing import Any

Schema = dict[str, Any]

_TEXT: Schema = {"type": "string"}
_INT: Schema = {"type": "integer"}
_BOOL: Schema = {"type": "boolean"}
_SCALAR: Schema = {"type": ["string", "number", "integer", "boolean", "null"]}
_ID: Schema = {"type": ["string", "integer"], "description": "Coerced to a string."}
_MILLIS: Schema = {
    "type": ["integer", "number", "string"],
    "description": "Epoch milliseconds (a number or a numeric string).",
}
_OBJECT_TYPE: Schema = {"type": "string", "enum": ["CONTACT", "PRODUCT", "DEAL", "LINE_ITEM"]}


def _object(required: list[str], **properties: Schema) -> Schema:
    schema: Schema = {"type": "object", "properties": properties}
    if required:
        schema["required"] = required
    return schema


def _array(items: Schema, max_items: int | None = None) -> Schema:
    schema: Schema = {"type": "array", "items": items}
    if max_items is not None:
        schema["maxItems"] = max_items
    return schema


_SYNC_MESSAGE = _object(
    ["action", "externalObjectId"],
    action={"type": "string", "enum": ["UPSERT", "DELETE"]},
    externalObjectId=_ID,
    changedAt=_MILLIS,
    properties={"type": "object", "additionalProperties": _SCALAR},
    associations={"type": "object", "additionalProperties": _array(_ID)},
)
_V1_SYNC_MESSAGE = _object(
    ["integratorObjectId", "action"],
    integratorObjectId=_ID,
    action={"type": "string", "enum": ["UPSERT", "DELETE"]},
    changeOccurredTimestamp=_MILLIS,
    propertyNameToValues={"type": "object", "additionalProperties": _SCALAR},
)
_MAPPING = _object(
    ["externalPropertyName", "hubspotPropertyName"],
    externalPropertyName=_TEXT,
    hubspotPropertyName=_TEXT,
    dataType={"type": "string", "enum": ["STRING", "NUMBER", "DATETIME", "AVATAR_IMAGE"]},
)
_V1_MAPPING = _object(
    ["propertyName", "targetHubspotProperty"],
    propertyName=_TEXT,
    targetHubspotProperty=_TEXT,
    dataType={"type": "string", "enum": ["STRING", "NUMBER", "DATETIME", "AVATAR_IMAGE"]},
)
_SETTINGS = _object(
    ["enabled", "mappings"],
    enabled=_BOOL,
    webhookUri={"type": ["string", "null"]},
    mappings=_object(
        [], **{t: _object([], properties=_array(_MAPPING)) for t in _OBJECT_TYPE["enum"]}
    ),
)
_V1_SETTINGS = _object(
    ["enabled"],
    enabled=_BOOL,
    importOnInstall=_BOOL,
    **{
        key: _object([], properties=_array(_V1_MAPPING))
        for key in (
            "productSyncSettings",
            "dealSyncSettings",
            "lineItemSyncSettings",
            "contactSyncSettings",
        )
    },
)
_STORE = _object(["id", "label"], id=_TEXT, label=_TEXT, adminUri={"type": ["string", "null"]})
_IMPORT_MESSAGE = _object(
    ["externalObjectId"],
    externalObjectId=_ID,
    properties={"type": "object", "additionalProperties": _SCALAR},
    associations={"type": "object", "additionalProperties": _array(_ID)},
)
_IMPORT_SCOPE: dict[str, Schema] = {
    "storeId": _TEXT,
    "importStartedAt": _MILLIS,
    "objectType": _OBJECT_TYPE,
}
_V1_IMPORT_RECORD = _object(
    ["integratorObjectId"],
    integratorObjectId=_ID,
    propertyNameToValues={"type": "object", "additionalProperties": _SCALAR},
)
_PAGE_END = _object(["pageCount", "itemCount"], pageCount=_INT, itemCount=_INT)

_OPTION = _object(["label", "value"], label=_TEXT, value=_TEXT, displayOrder=_INT, hidden=_BOOL)
_PROPERTY_TYPE = {
    "type": "string",
    "enum": ["string", "number", "datetime", "date", "bool", "enumeration"],
}
_PROPERTY_FIELDS: dict[str, Schema] = {
    "label": _TEXT,
    "type": _PROPERTY_TYPE,
    "fieldType": _TEXT,
    "groupName": _TEXT,
    "description": _TEXT,
    "options": _array(_OPTION),
}
PROPERTY_CREATE = _object(["name", "label", "type"], name=_TEXT, **_PROPERTY_FIELDS)
PROPERTY_UPDATE = _object([], **_PROPERTY_FIELDS)
_GROUP_CREATE = _object(["name", "label"], name=_TEXT, label=_TEXT, displayOrder=_INT)
_GROUP_UPDATE = _object([], label=_TEXT, displayOrder=_INT)
_LEGACY_GROUP_CREATE = _object(
    ["name", "displayName"], name=_TEXT, displayName=_TEXT, displayOrder=_INT
)
_LEGACY_GROUP_UPDATE = _object([], displayName=_TEXT, displayOrder=_INT)

_PROBABILITY: Schema = {
    "type": ["string", "number"],
    "description": "0.0 to 1.0; required for deal stages.",
}
_STAGE_METADATA = _object(
    ["probability"], probability=_PROBABILITY, isClosed={"type": ["string", "boolean"]}
)
_STAGE = _object(
    ["label", "displayOrder", "metadata"],
    label=_TEXT,
    displayOrder=_INT,
    metadata=_STAGE_METADATA,
    id={"type": "string", "description": "Keeps the stage with this id (PUT of a pipeline)."},
)
_STAGE_PATCH = _object(
    [],
    label=_TEXT,
    displayOrder=_INT,
    metadata=_object([], probability=_PROBABILITY, isClosed={"type": ["string", "boolean"]}),
    archived={"type": "boolean", "enum": [False]},
)
_PIPELINE = _object(
    ["label", "displayOrder", "stages"], label=_TEXT, displayOrder=_INT, stages=_array(_STAGE)
)
_PIPELINE_PATCH = _object(
    [], label=_TEXT, displayOrder=_INT, archived={"type": "boolean", "enum": [False]}
)
_LEGACY_STAGE = _object(
    ["label"],
    stageId=_TEXT,
    label=_TEXT,
    displayOrder=_INT,
    probability=_PROBABILITY,
    closedWon=_BOOL,
    metadata=_STAGE_METADATA,
)
_LEGACY_PIPELINE = _object(
    ["label", "stages"],
    pipelineId=_TEXT,
    label=_TEXT,
    displayOrder=_INT,
    stages=_array(_LEGACY_STAGE),
)
_FILTER = _object(
    ["propertyName", "operator"],
    propertyName=_TEXT,
    operator=_TEXT,
    value=_SCALAR,
    highValue=_SCALAR,
    values=_array(_SCALAR),
)
_SEARCH = _object(
    [],
    filterGroups=_array(_object(["filters"], filters=_array(_FILTER))),
    sorts=_array(
        _object(
            ["propertyName"],
            propertyName=_TEXT,
            direction={"type": "string", "enum": ["ASCENDING", "DESCENDING"]},
        )
    ),
    query=_TEXT,
    properties=_array(_TEXT),
    limit=_INT,
    after={"type": ["string", "integer"]},
)

V1 = "/extensions/ecomm/v1"
V2 = "/extensions/ecomm/v2"
_V1_PAGES = "/import-pages/{importStartedAt}/{objectType}"
_WORKFLOW_EMAIL = _object(
    ["delayMinutes", "subject"],
    delayMinutes={"type": "number", "minimum": 0},
    subject=_TEXT,
    bodyTemplate={"type": ["string", "null"], "description": "Jinja2; null: the built-in one."},
)
_WORKFLOW = _object(
    ["enabled", "emails"],
    key={"type": "string", "enum": ["abandoned-cart", "welcome", "re-engagement"]},
    enabled=_BOOL,
    storeIds={"type": ["array", "null"], "items": _TEXT},
    inactivityDays={"type": ["integer", "null"], "minimum": 1},
    emails={**_array(_WORKFLOW_EMAIL, 10), "minItems": 1},
)
_DESTINATION = _object(
    ["accessToken"],
    baseUrl={"type": ["string", "null"], "description": "default https://api.hubapi.com"},
    accessToken=_TEXT,
    storeIds={"type": ["array", "null"], "items": _TEXT},
)
_DESTINATION_PATCH = _object([], paused=_BOOL, accessToken=_TEXT)
REQUEST_BODIES: dict[tuple[str, str], Schema] = {
    ("post", "/relay/v1/destinations"): _DESTINATION,
    ("patch", "/relay/v1/destinations/{destination_id}"): _DESTINATION_PATCH,
    ("put", f"{V2}/workflows/{{key}}"): _WORKFLOW,
    ("put", f"{V2}/sync/messages"): _object(
        ["storeId", "objectType", "messages"],
        storeId=_TEXT,
        objectType=_OBJECT_TYPE,
        messages=_array(_SYNC_MESSAGE, 200),
    ),
    ("put", f"{V1}/sync-messages/{{objectType}}"): _array(_V1_SYNC_MESSAGE, 200),
    ("put", f"{V2}/settings"): _SETTINGS,
    ("put", f"{V1}/settings"): _V1_SETTINGS,
    ("put", f"{V1}/import-settings"): _object(["importTriggerUri"], importTriggerUri=_TEXT),
    ("put", f"{V2}/stores"): _STORE,
    ("post", f"{V2}/stores/replace-default"): _STORE,
    ("post", f"{V2}/stores/default/replace"): _STORE,
    ("post", f"{V2}/imports/start"): _object(["storeId"], storeId=_TEXT),
    ("post", f"{V2}/imports/page"): _object(
        ["storeId", "importStartedAt", "objectType", "messages"],
        **_IMPORT_SCOPE,
        pageNumber=_INT,
        portalId=_INT,
        messages=_array(_IMPORT_MESSAGE),
    ),
    ("post", f"{V2}/imports/end"): _object(
        ["storeId", "importStartedAt", "objectType", "pageCount", "itemCount"],
        **_IMPORT_SCOPE,
        pageCount=_INT,
        itemCount=_INT,
        portalId=_INT,
    ),
    ("put", f"{V1}{_V1_PAGES}/end"): _PAGE_END,
    ("put", f"{_V1_PAGES}/end"): _PAGE_END,
    ("put", f"{V1}{_V1_PAGES}/{{pageNumber}}"): _array(_V1_IMPORT_RECORD, 500),
    ("put", f"{_V1_PAGES}/{{pageNumber}}"): _array(_V1_IMPORT_RECORD, 500),
    ("post", "/crm/v3/properties/{object_type}"): PROPERTY_CREATE,
    ("patch", "/crm/v3/properties/{object_type}/{name}"): PROPERTY_UPDATE,
    ("post", "/crm/v3/properties/{object_type}/groups"): _GROUP_CREATE,
    ("patch", "/crm/v3/properties/{object_type}/groups/{name}"): _GROUP_UPDATE,
    ("post", "/properties/{version}/{object_type}/properties"): PROPERTY_CREATE,
    ("put", "/properties/{version}/{object_type}/properties/named/{name}"): PROPERTY_UPDATE,
    ("post", "/properties/{version}/{object_type}/groups"): _LEGACY_GROUP_CREATE,
    ("put", "/properties/{version}/{object_type}/groups/named/{name}"): _LEGACY_GROUP_UPDATE,
    ("post", "/deals/v1/properties"): PROPERTY_CREATE,
    ("put", "/deals/v1/properties/named/{name}"): PROPERTY_UPDATE,
    ("post", "/crm/v3/pipelines/{object_type}"): _PIPELINE,
    ("put", "/crm/v3/pipelines/{object_type}/{pipeline_id}"): _PIPELINE,
    ("patch", "/crm/v3/pipelines/{object_type}/{pipeline_id}"): _PIPELINE_PATCH,
    ("post", "/crm/v3/pipelines/{object_type}/{pipeline_id}/stages"): _STAGE,
    ("put", "/crm/v3/pipelines/{object_type}/{pipeline_id}/stages/{stage_id}"): _STAGE,
    ("patch", "/crm/v3/pipelines/{object_type}/{pipeline_id}/stages/{stage_id}"): _STAGE_PATCH,
    ("post", "/crm-pipelines/v1/pipelines/{object_type}"): _LEGACY_PIPELINE,
    ("put", "/crm-pipelines/v1/pipelines/{object_type}/{pipeline_id}"): _LEGACY_PIPELINE,
    ("post", "/crm/v3/objects/{object_type}/search"): _SEARCH,
}

# Writes that take no body (clients send none, or an empty one).
BODILESS = {
    ("post", f"{V1}/installs"),
    ("post", f"{V1}/installs/uninstall"),
    ("post", f"{V2}/imports/{{storeId}}/{{importStartedAt}}/cancel"),
    # HubSpot's default association takes everything from its path.
    ("put", "/crm/v4/objects/{from_type}/{from_id}/associations/default/{to_type}/{to_id}"),
}
