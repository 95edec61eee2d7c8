"""The v2 ``Store`` wire shape (§5.2): exactly ``{id, label, adminUri}``; ``adminUri`` only when
stored, so GET returns exactly what PUT stored (some clients build strict models from it)."""

from __future__ import annotations

from typing import Any

from ecombridge.errors import ValidationFailed
from ecombridge.stores.service import Store


def parse_store(body: Any) -> Store:
    if not isinstance(body, dict):
        raise ValidationFailed('body: must be a JSON object {"id", "label", "adminUri"?}.')
    store_id = body.get("id")
    if isinstance(store_id, int) and not isinstance(store_id, bool):
        store_id = str(store_id)  # some clients send numeric ids
    if not isinstance(store_id, str):
        raise ValidationFailed("id: is required and must be a string.")
    label = body.get("label")
    if not isinstance(label, str) or not label.strip():
        raise ValidationFailed("label: is required and must be a non-empty string.")
    admin_uri = body.get("adminUri")
    if admin_uri is not None and not isinstance(admin_uri, str):
        raise ValidationFailed("adminUri: must be a string when present.")
    return Store(store_id, label, admin_uri or None)


def render_store(store: Store) -> dict[str, Any]:
    body: dict[str, Any] = {"id": store.id, "label": store.label}
    if store.admin_uri is not None:
        body["adminUri"] = store.admin_uri
    return body
