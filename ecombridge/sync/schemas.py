"""Wire shapes of the sync-message endpoints, decoded leniently with msgspec (the hot path).

Every field is optional and loosely typed here, so the intake can say precisely which field of
which message is wrong (``messages[3].externalObjectId: ...``) and tolerate what real clients send:
ids as numbers, ``changedAt`` as a number or numeric string, omitted maps, unknown fields
(PrestaShop's ``PS_version``), which msgspec ignores.
"""

from __future__ import annotations

from typing import Any

import msgspec


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
