"""Request bodies of the CRM write and batch endpoints, checked field by field: every error is a
400 whose message starts with the path of the offending field (``inputs[3].properties``)."""

from __future__ import annotations

from typing import Any

from ecombridge.errors import ValidationFailed

MAX_INPUTS = 100  # inputs of a CRM v3 object batch, as HubSpot allows
MAX_ASSOCIATION_INPUTS = 1000  # inputs of a v4 association batch
MAX_ID_LENGTH = 400


def body_object(body: Any, shape: str) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise ValidationFailed(f"body: must be a JSON object {shape}.")
    return body


def inputs_of(body: Any, shape: str, limit: int = MAX_INPUTS) -> list[dict[str, Any]]:
    """The ``inputs`` of a batch body: a list of at most ``limit`` objects."""
    items = body_object(body, '{"inputs": [...]}').get("inputs")
    if not isinstance(items, list):
        raise ValidationFailed(f"inputs: is required and must be a list of {shape}.")
    if len(items) > limit:
        raise ValidationFailed(
            f"inputs: a batch takes at most {limit} inputs, got {len(items)}; "
            f"split it into batches of {limit}."
        )
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            raise ValidationFailed(f"inputs[{i}]: must be an object {shape}.")
    return items


def properties_of(item: dict[str, Any], where: str, *, required: bool = True) -> dict[str, Any]:
    """``item["properties"]``: names -> values (strings, numbers, booleans or null)."""
    value = item.get("properties")
    if value is None and not required:
        return {}
    if not isinstance(value, dict):
        raise ValidationFailed(f"{where}.properties: is required and must be an object.")
    return value


def id_of(value: Any, where: str) -> str:
    """An id as sent: a non-empty string or an integer."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if not isinstance(value, str) or not value.strip():
        raise ValidationFailed(f"{where}: is required and must be a non-empty string.")
    if len(value) > MAX_ID_LENGTH:
        raise ValidationFailed(f"{where}: must be at most {MAX_ID_LENGTH} characters.")
    return value.strip()


def optional_text(value: Any, where: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValidationFailed(f"{where}: must be a string.")
    return value


def names_of(value: Any, where: str) -> list[str]:
    """A list of property names (absent: none)."""
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValidationFailed(f"{where}: must be a list of property names.")
    return value


def duplicates(keys: list[Any]) -> list[Any]:
    seen: set[Any] = set()
    repeated = []
    for key in keys:
        if key in seen and key not in repeated:
            repeated.append(key)
        seen.add(key)
    return repeated
