"""The settings model and its two wire shapes (v2 ``Settings`` §5.1, v1 ``V1Settings`` §6.1).

Stored mappings are ``{"CONTACT": [{"externalPropertyName", "hubspotPropertyName",
"dataType"?}], ...}``; a ``dataType`` a client left out stays out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ecombridge.crm_schema.object_types import OBJECT_TYPES
from ecombridge.crm_schema.standard import PROVIDED_PROPERTY_NAMES

DATA_TYPES = ("STRING", "NUMBER", "DATETIME", "AVATAR_IMAGE")

# v1 names each object type's mappings by its own key; order as HubSpot's examples list them.
V1_KEYS = {
    "PRODUCT": "productSyncSettings",
    "DEAL": "dealSyncSettings",
    "LINE_ITEM": "lineItemSyncSettings",
    "CONTACT": "contactSyncSettings",
}


@dataclass(frozen=True)
class PropertyMapping:
    external_name: str
    hubspot_name: str
    data_type: str | None = None

    def to_json(self) -> dict[str, str]:
        stored = {
            "externalPropertyName": self.external_name,
            "hubspotPropertyName": self.hubspot_name,
        }
        if self.data_type is not None:
            stored["dataType"] = self.data_type
        return stored

    @classmethod
    def from_json(cls, stored: dict[str, Any]) -> PropertyMapping:
        return cls(
            stored["externalPropertyName"], stored["hubspotPropertyName"], stored.get("dataType")
        )


@dataclass(frozen=True)
class Settings:
    enabled: bool
    mappings: dict[str, list[PropertyMapping]]
    webhook_uri: str | None = None
    import_on_install: bool | None = None
    updated_at: int = field(default=0, compare=False)

    def mappings_json(self) -> dict[str, list[dict[str, str]]]:
        return {t: [m.to_json() for m in self.mappings.get(t, [])] for t in OBJECT_TYPES}


# Provided mappings: filled by the bridge on every object, listed on request, never stored.
PROVIDED_MAPPINGS = tuple(PropertyMapping(name, name, "STRING") for name in PROVIDED_PROPERTY_NAMES)


def _with_provided(settings: Settings, show_provided: bool) -> dict[str, list[PropertyMapping]]:
    extra = list(PROVIDED_MAPPINGS) if show_provided else []
    return {t: list(settings.mappings.get(t, [])) + extra for t in OBJECT_TYPES}


def render_v2(settings: Settings, *, show_provided: bool = False) -> dict[str, Any]:
    mappings = _with_provided(settings, show_provided)
    return {
        "enabled": settings.enabled,
        "webhookUri": settings.webhook_uri,
        "mappings": {t: {"properties": [m.to_json() for m in mappings[t]]} for t in OBJECT_TYPES},
    }


def _v1_mapping(mapping: PropertyMapping) -> dict[str, str]:
    rendered = {"propertyName": mapping.external_name}
    if mapping.data_type is not None:
        rendered["dataType"] = mapping.data_type
    rendered["targetHubspotProperty"] = mapping.hubspot_name
    return rendered


def render_v1(settings: Settings, *, show_provided: bool = False) -> dict[str, Any]:
    mappings = _with_provided(settings, show_provided)
    body: dict[str, Any] = {"enabled": settings.enabled}
    if settings.import_on_install is not None:
        body["importOnInstall"] = settings.import_on_install
    for object_type, key in V1_KEYS.items():
        body[key] = {"properties": [_v1_mapping(m) for m in mappings[object_type]]}
    return body
