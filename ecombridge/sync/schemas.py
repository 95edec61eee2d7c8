"""Wire shapes of the sync-message endpoints, decoded leniently with msgspec (the hot path).

Every field is optional and loosely typed here, so the intake can say precisely which field of
which message is wrong (``messages[3].externalObjectId: ...``) and tolerate what real clients send:
ids as numbers, ``changedAt`` as a number or numeric string, omitted maps, unknown fields
(PrestaShop's ``PS_version``), which msgspec ignores.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

import msgspec

from ecombridge.limits import MAX_BIGINT


class V2SyncMessage(msgspec.Struct):
    externalObjectId: str | int | None = None
    action: str | None = None
    changedAt: int | float | str | None = None
    properties: dict[str, Any] | None = None
    # Checked by the intake, which names the bad key (msgspec would say ``[...]``).
    associations: dict[str, Any] | None = None


class V2SyncRequest(msgspec.Struct):
    storeId: str | int | None = None
    objectType: str | None = None
    messages: list[V2SyncMessage] | None = None


class V1SyncMessage(msgspec.Struct):
    integratorObjectId: str | int | None = None
    action: str | None = None
    changeOccurredTimestamp: int | float | str | None = None
    propertyNameToValues: dict[str, Any] | None = None
    # The spelling of HubSpot's own v1 spec examples; accepted as an alias.
    propertyNamesToValues: dict[str, Any] | None = None


v2_request_decoder = msgspec.json.Decoder(V2SyncRequest)
v1_request_decoder = msgspec.json.Decoder(list[V1SyncMessage])


# The strict shape of a well-formed v2 request: every constraint the intake checks, enforced by
# msgspec while decoding. A body that decodes with it needs no further checks; any other body
# (an error to report, or ids as numbers, changedAt as a string, explicit nulls) is decoded
# again with the lenient shapes above, which also word the error.
ObjectTypeName = Literal["CONTACT", "PRODUCT", "DEAL", "LINE_ITEM"]
NonEmpty = Annotated[str, msgspec.Meta(min_length=1)]


class StrictV2SyncMessage(
    msgspec.Struct, rename={"external_id": "externalObjectId", "changed_at": "changedAt"}
):
    external_id: Annotated[str, msgspec.Meta(min_length=1, max_length=100)]
    action: Literal["UPSERT", "DELETE"]
    changed_at: Annotated[int, msgspec.Meta(ge=0, le=MAX_BIGINT)] | None = None
    properties: dict[str, Any] = {}
    associations: dict[ObjectTypeName, list[NonEmpty]] = {}


class StrictV2SyncRequest(msgspec.Struct):
    storeId: NonEmpty
    objectType: ObjectTypeName
    messages: Annotated[list[StrictV2SyncMessage], msgspec.Meta(max_length=200)]


strict_v2_request_decoder = msgspec.json.Decoder(StrictV2SyncRequest)
