"""Reading settings bodies (v2 §5.1, v1 §6.1) into the model, with a 400 naming the bad field.

Unknown extra fields are ignored (hubspot-php sends ``importOnInstall`` in v2); HubSpot property
names are not checked against the portal, as HubSpot did not.
"""

from __future__ import annotations

from typing import Any

from ecombridge.crm_schema.object_types import OBJECT_TYPES
from ecombridge.errors import ValidationFailed
from ecombridge.outbound.addresses import AddressPolicy, BlockedAddress, check_url
from ecombridge.sync_settings.schemas import (
    DATA_TYPES,
    V1_KEYS,
    PropertyMapping,
    Settings,
)

MAX_NAME_LENGTH = 500
MAX_URI_LENGTH = 2000


def _fail(where: str, problem: str) -> ValidationFailed:
    return ValidationFailed(f"{where}: {problem}", errors=[{"message": problem, "in": where}])


def _object(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _fail(where, f"must be a JSON object, got {_kind(value)}.")
    return value


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    return {bool: "a boolean", str: "a string", int: "a number", float: "a number"}.get(
        type(value), "an array" if isinstance(value, list) else "an object"
    )


def _bool(body: dict[str, Any], key: str, *, required: bool) -> bool | None:
    value = body.get(key)
    if value is None:
        if required:
            raise _fail(key, "is required (true or false).")
        return None
    if not isinstance(value, bool):
        raise _fail(key, f"must be true or false, got {_kind(value)}.")
    return value


def _name(item: dict[str, Any], key: str, where: str) -> str:
    value = item.get(key)
    if not isinstance(value, str) or not value.strip():
        raise _fail(f"{where}.{key}", "is required and must be a non-empty string.")
    if len(value) > MAX_NAME_LENGTH:
        raise _fail(f"{where}.{key}", f"must be at most {MAX_NAME_LENGTH} characters.")
    if "\x00" in value:  # the web form's values are not JSON-checked; the database refuses NUL
        raise _fail(f"{where}.{key}", "must not contain NUL characters.")
    return value


def _data_type(item: dict[str, Any], where: str) -> str | None:
    value = item.get("dataType")
    if value is None:
        return None
    if value not in DATA_TYPES:
        raise _fail(f"{where}.dataType", f"must be one of {', '.join(DATA_TYPES)}; got {value!r}.")
    return str(value)


def _mapping_list(container: Any, where: str) -> list[tuple[Any, str]]:
    """The ``properties`` items of one object type's mappings, each with where it is."""
    if container is None:
        return []
    wrapper = _object(container, where)
    items = wrapper.get("properties")
    if items is None:
        return []
    if not isinstance(items, list):
        raise _fail(f"{where}.properties", f"must be an array, got {_kind(items)}.")
    return [(item, f"{where}.properties[{i}]") for i, item in enumerate(items)]


def _check_avatar(object_type: str, mappings: list[PropertyMapping], where: str) -> None:
    avatars = [i for i, m in enumerate(mappings) if m.data_type == "AVATAR_IMAGE"]
    if avatars and object_type != "PRODUCT":
        raise _fail(
            f"{where}.properties[{avatars[0]}].dataType",
            "AVATAR_IMAGE is only allowed on PRODUCT mappings.",
        )
    if len(avatars) > 1:
        raise _fail(
            f"{where}.properties[{avatars[1]}].dataType",
            "only one PRODUCT mapping may have dataType AVATAR_IMAGE.",
        )


def parse_v2(body: Any) -> Settings:
    body = _object(body, "body")
    enabled = _bool(body, "enabled", required=True)
    webhook = body.get("webhookUri")
    if webhook is not None and not isinstance(webhook, str):
        raise _fail("webhookUri", f"must be a string or null, got {_kind(webhook)}.")
    if webhook is not None and len(webhook) > MAX_URI_LENGTH:
        raise _fail("webhookUri", f"must be at most {MAX_URI_LENGTH} characters.")
    raw = body.get("mappings")
    if raw is None:
        raise _fail(
            "mappings", "is required: an object keyed by CONTACT, DEAL, PRODUCT, LINE_ITEM."
        )
    raw = _object(raw, "mappings")
    unknown = sorted(set(raw) - set(OBJECT_TYPES))
    if unknown:
        raise _fail(
            f"mappings.{unknown[0]}",
            f"unknown object type; use {', '.join(OBJECT_TYPES)}.",
        )
    mappings: dict[str, list[PropertyMapping]] = {}
    for object_type in OBJECT_TYPES:
        where = f"mappings.{object_type}"
        parsed = []
        for item, at in _mapping_list(raw.get(object_type), where):
            item = _object(item, at)
            parsed.append(
                PropertyMapping(
                    _name(item, "externalPropertyName", at),
                    _name(item, "hubspotPropertyName", at),
                    _data_type(item, at),
                )
            )
        _check_avatar(object_type, parsed, where)
        mappings[object_type] = parsed
    return Settings(enabled=bool(enabled), mappings=mappings, webhook_uri=webhook or None)


def _v1_target(item: dict[str, Any], where: str) -> str:
    """``targetHubspotProperty``, also spelled ``targetHubSpotProperty`` in HubSpot's examples."""
    for key, value in item.items():
        if key.lower() == "targethubspotproperty":
            return _name({key: value}, key, where)
    raise _fail(f"{where}.targetHubspotProperty", "is required and must be a non-empty string.")


def parse_v1(body: Any) -> Settings:
    body = _object(body, "body")
    enabled = _bool(body, "enabled", required=True)
    import_on_install = _bool(body, "importOnInstall", required=False)
    mappings: dict[str, list[PropertyMapping]] = {}
    for object_type, key in V1_KEYS.items():
        parsed = []
        for item, at in _mapping_list(body.get(key), key):
            item = _object(item, at)
            parsed.append(
                PropertyMapping(
                    _name(item, "propertyName", at), _v1_target(item, at), _data_type(item, at)
                )
            )
        _check_avatar(object_type, parsed, key)
        mappings[object_type] = parsed
    return Settings(enabled=bool(enabled), mappings=mappings, import_on_install=import_on_install)


def check_webhook_uri(where: str, uri: str | None) -> None:
    """A URI the bridge will call (``webhookUri``, ``importTriggerUri``): absolute http(s), and
    neither a private, loopback or reserved address nor a name resolving to one, unless
    ECOMBRIDGE_WEBHOOK_ALLOW_PRIVATE allows it. A name that does not resolve (yet) is accepted:
    every call checks it again. Resolves names, so call it outside a write transaction."""
    if uri is None:
        return
    try:
        check_url(uri, AddressPolicy.from_env())
    except BlockedAddress as exc:
        raise _fail(where, f"{exc}; got {uri!r}.") from None


def parse_import_settings(body: Any) -> str | None:
    """The ``importTriggerUri`` of a v1 import-settings body (None or "": none)."""
    if not isinstance(body, dict):
        raise ValidationFailed('body: must be a JSON object {"importTriggerUri": "https://..."}.')
    uri = body.get("importTriggerUri")
    if uri is not None and (not isinstance(uri, str) or len(uri) > MAX_URI_LENGTH):
        raise _fail("importTriggerUri", f"must be a string of at most {MAX_URI_LENGTH} characters.")
    return uri or None
