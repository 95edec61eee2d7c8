"""Typed models of the v1 wire shapes (reference §6), with ``to_wire()`` / ``from_wire()``."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from ecombridge.client._models import (
    CONTACT,
    DEAL,
    LINE_ITEM,
    OBJECT_TYPES,
    PRODUCT,
    PropertyMapping,
    opt_int,
)

_V1_SETTINGS_KEYS = {
    CONTACT: "contactSyncSettings",
    PRODUCT: "productSyncSettings",
    DEAL: "dealSyncSettings",
    LINE_ITEM: "lineItemSyncSettings",
}


@dataclass
class V1Settings:
    """v1 settings: the same mappings, spelled ``xxxSyncSettings`` on the wire."""

    enabled: bool = True
    import_on_install: bool | None = None
    mappings: dict[str, list[PropertyMapping]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # All four object types are always present (empty when unmapped), as on the wire.
        for object_type in OBJECT_TYPES:
            self.mappings.setdefault(object_type, [])

    def to_wire(self) -> dict[str, Any]:
        wire: dict[str, Any] = {"enabled": self.enabled}
        if self.import_on_install is not None:
            wire["importOnInstall"] = self.import_on_install
        for object_type, key in _V1_SETTINGS_KEYS.items():
            mappings = self.mappings.get(object_type, [])
            wire[key] = {"properties": [m.to_v1_wire() for m in mappings]}
        return wire

    @classmethod
    def from_wire(cls, wire: dict[str, Any]) -> V1Settings:
        mappings = {
            object_type: [
                PropertyMapping.from_v1_wire(m) for m in (wire.get(key) or {}).get("properties", [])
            ]
            for object_type, key in _V1_SETTINGS_KEYS.items()
        }
        on_install = wire.get("importOnInstall")
        return cls(bool(wire.get("enabled", True)), on_install, mappings)


@dataclass
class V1SyncMessage:
    integrator_object_id: str
    property_name_to_values: dict[str, Any] = field(default_factory=dict)
    action: str = "UPSERT"
    # v1 requires a timestamp; None sends the current time (as v1 clients did).
    change_occurred_timestamp: int | None = None

    def to_wire(self) -> dict[str, Any]:
        changed = self.change_occurred_timestamp
        return {
            "integratorObjectId": str(self.integrator_object_id),
            "action": self.action,
            "changeOccurredTimestamp": int(time.time() * 1000) if changed is None else changed,
            "propertyNameToValues": self.property_name_to_values,
        }


@dataclass
class V1SyncError:
    portal_id: int
    object_type: str
    integrator_object_id: str
    change_occurred_timestamp: int | None
    error_timestamp: int | None
    type: str
    details: str
    status: str

    @classmethod
    def from_wire(cls, wire: dict[str, Any]) -> V1SyncError:
        return cls(
            int(wire.get("portalId") or 0),
            str(wire["objectType"]),
            str(wire["integratorObjectId"]),
            opt_int(wire.get("changeOccurredTimestamp")),
            opt_int(wire.get("errorTimestamp")),
            str(wire["type"]),
            str(wire.get("details", "")),
            str(wire.get("status", "OPEN")),
        )


@dataclass
class V1SyncStatus:
    object_type: str
    external_object_id: str
    hubspot_id: int | None
    last_processed_at: int | None
    num_errors: int

    @classmethod
    def from_wire(cls, wire: dict[str, Any]) -> V1SyncStatus:
        return cls(
            str(wire["objectType"]),
            str(wire["externalObjectId"]),
            opt_int(wire.get("hubspotId")),
            opt_int(wire.get("lastProcessedAt")),
            int(wire.get("numErrors") or 0),
        )


@dataclass
class InstallStatus:
    install_completed: bool
    ecomm_settings_enabled: bool

    @classmethod
    def from_wire(cls, wire: dict[str, Any]) -> InstallStatus:
        return cls(bool(wire["installCompleted"]), bool(wire["ecommSettingsEnabled"]))
