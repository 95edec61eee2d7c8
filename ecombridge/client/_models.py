"""Typed models of the wire shapes, each with ``to_wire()`` and ``from_wire()``.

Names follow Python; the wire keys follow HubSpot (camelCase) exactly as the reference spells them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

CONTACT = "CONTACT"
PRODUCT = "PRODUCT"
DEAL = "DEAL"
LINE_ITEM = "LINE_ITEM"
OBJECT_TYPES = (CONTACT, PRODUCT, DEAL, LINE_ITEM)
# The order an import is processed in, so associations resolve.
IMPORT_ORDER = (PRODUCT, CONTACT, DEAL, LINE_ITEM)


def opt_int(value: Any) -> int | None:
    return None if value is None else int(value)


@dataclass
class PropertyMapping:
    external_property_name: str
    hubspot_property_name: str
    data_type: str | None = None

    def to_wire(self) -> dict[str, Any]:
        wire = {
            "externalPropertyName": self.external_property_name,
            "hubspotPropertyName": self.hubspot_property_name,
        }
        if self.data_type is not None:
            wire["dataType"] = self.data_type
        return wire

    @classmethod
    def from_wire(cls, wire: dict[str, Any]) -> PropertyMapping:
        return cls(wire["externalPropertyName"], wire["hubspotPropertyName"], wire.get("dataType"))

    def to_v1_wire(self) -> dict[str, Any]:
        return {
            "propertyName": self.external_property_name,
            "dataType": self.data_type or "STRING",
            "targetHubspotProperty": self.hubspot_property_name,
        }

    @classmethod
    def from_v1_wire(cls, wire: dict[str, Any]) -> PropertyMapping:
        target = wire.get("targetHubspotProperty", wire.get("targetHubSpotProperty"))
        return cls(wire["propertyName"], str(target), wire.get("dataType"))


@dataclass
class Settings:
    """v2 settings: ``mappings`` maps an object type to its property mappings."""

    enabled: bool = True
    webhook_uri: str | None = None
    mappings: dict[str, list[PropertyMapping]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # All four object types are always present (empty when unmapped), as on the wire.
        for object_type in OBJECT_TYPES:
            self.mappings.setdefault(object_type, [])

    def to_wire(self) -> dict[str, Any]:
        wire: dict[str, Any] = {
            "enabled": self.enabled,
            "mappings": {
                object_type: {
                    "properties": [m.to_wire() for m in self.mappings.get(object_type, [])]
                }
                for object_type in OBJECT_TYPES
            },
        }
        if self.webhook_uri is not None:
            wire["webhookUri"] = self.webhook_uri
        return wire

    @classmethod
    def from_wire(cls, wire: dict[str, Any]) -> Settings:
        mappings = {
            object_type: [PropertyMapping.from_wire(m) for m in (value or {}).get("properties", [])]
            for object_type, value in (wire.get("mappings") or {}).items()
        }
        return cls(bool(wire.get("enabled", True)), wire.get("webhookUri"), mappings)


@dataclass
class Store:
    id: str
    label: str
    admin_uri: str | None = None

    def to_wire(self) -> dict[str, Any]:
        wire = {"id": self.id, "label": self.label}
        if self.admin_uri is not None:
            wire["adminUri"] = self.admin_uri
        return wire

    @classmethod
    def from_wire(cls, wire: dict[str, Any]) -> Store:
        return cls(str(wire["id"]), str(wire["label"]), wire.get("adminUri"))


@dataclass
class SyncMessage:
    """One v2 sync message; ``changed_at`` is epoch milliseconds (None: time of acceptance)."""

    external_object_id: str
    properties: dict[str, Any] = field(default_factory=dict)
    associations: dict[str, list[str]] = field(default_factory=dict)
    action: str = "UPSERT"
    changed_at: int | None = None

    def to_wire(self) -> dict[str, Any]:
        wire: dict[str, Any] = {
            "action": self.action,
            "externalObjectId": str(self.external_object_id),
            "properties": self.properties,
        }
        if self.changed_at is not None:
            wire["changedAt"] = self.changed_at
        if self.associations:
            wire["associations"] = {k: [str(v) for v in vs] for k, vs in self.associations.items()}
        return wire

    @classmethod
    def from_wire(cls, wire: dict[str, Any]) -> SyncMessage:
        changed = wire.get("changedAt")
        return cls(
            str(wire["externalObjectId"]),
            dict(wire.get("properties") or {}),
            {k: [str(v) for v in vs] for k, vs in (wire.get("associations") or {}).items()},
            str(wire.get("action", "UPSERT")),
            None if changed is None else int(float(changed)),
        )


@dataclass
class ImportMessage:
    """One record of an import page: always an upsert, no timestamp."""

    external_object_id: str
    properties: dict[str, Any] = field(default_factory=dict)
    associations: dict[str, list[str]] = field(default_factory=dict)

    def to_wire(self) -> dict[str, Any]:
        wire: dict[str, Any] = {
            "externalObjectId": str(self.external_object_id),
            "properties": self.properties,
        }
        if self.associations:
            wire["associations"] = {k: [str(v) for v in vs] for k, vs in self.associations.items()}
        return wire

    def to_v1_wire(self) -> dict[str, Any]:
        return {
            "integratorObjectId": str(self.external_object_id),
            "propertyNameToValues": self.properties,
        }

    @classmethod
    def from_wire(cls, wire: dict[str, Any]) -> ImportMessage:
        ident = wire.get("externalObjectId", wire.get("integratorObjectId"))
        props = wire.get("properties", wire.get("propertyNameToValues")) or {}
        assoc = wire.get("associations") or {}
        return cls(str(ident), dict(props), {k: [str(v) for v in vs] for k, vs in assoc.items()})


@dataclass
class SyncError:
    portal_id: int
    store_id: str | None
    object_type: str
    external_object_id: str
    changed_at: int | None
    errored_at: int | None
    type: str
    details: str
    status: str

    @classmethod
    def from_wire(cls, wire: dict[str, Any]) -> SyncError:
        return cls(
            int(wire.get("portalId") or 0),
            wire.get("storeId"),
            str(wire["objectType"]),
            str(wire["externalObjectId"]),
            opt_int(wire.get("changedAt")),
            opt_int(wire.get("erroredAt")),
            str(wire["type"]),
            str(wire.get("details", "")),
            str(wire.get("status", "OPEN")),
        )


@dataclass
class SyncStatus:
    store_id: str
    object_type: str
    external_object_id: str
    hubspot_id: int | None
    last_processed_at: int | None
    errors: list[SyncError] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        """True when the latest processing attempt failed (``erroredAt == lastProcessedAt``)."""
        return any(
            e.errored_at is not None and e.errored_at == self.last_processed_at for e in self.errors
        )

    @classmethod
    def from_wire(cls, wire: dict[str, Any]) -> SyncStatus:
        return cls(
            str(wire["storeId"]),
            str(wire["objectType"]),
            str(wire["externalObjectId"]),
            opt_int(wire.get("hubspotId")),
            opt_int(wire.get("lastProcessedAt")),
            [SyncError.from_wire(e) for e in wire.get("errors") or []],
        )


@dataclass
class SyncErrorPage:
    """One page of a sync-error listing; ``next_page`` is the ``page`` to ask for next."""

    results: list[SyncError]
    next_page: int | None


@dataclass
class ImportProgress:
    """Where an import stands: its state and, per object type, the counts announced by the
    webhook answer, received in pages and applied (keys as on the wire)."""

    import_started_at: int
    store_id: str | None
    state: str
    object_types: dict[str, dict[str, Any]] = field(default_factory=dict)
    totals: dict[str, int] = field(default_factory=dict)
    failure_reason: str | None = None
    raw: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_wire(cls, wire: dict[str, Any]) -> ImportProgress:
        return cls(
            int(wire.get("importStartedAt") or 0),
            wire.get("storeId"),
            str(wire.get("state", "")),
            dict(wire.get("objectTypes") or {}),
            {k: int(v or 0) for k, v in (wire.get("totals") or {}).items()},
            wire.get("failureReason"),
            wire,
        )
