"""How objects are named and summarised on pages."""

from __future__ import annotations

from typing import Any

# URL slug <-> bridge object type
SLUGS = {"contacts": "CONTACT", "deals": "DEAL", "products": "PRODUCT", "line-items": "LINE_ITEM"}
TYPE_SLUGS = {object_type: slug for slug, object_type in SLUGS.items()}
TYPE_LABELS = {
    "CONTACT": "Contacts",
    "DEAL": "Deals",
    "PRODUCT": "Products",
    "LINE_ITEM": "Line items",
}
# (property, heading, kind) shown in the list of each type; kind picks the formatting.
COLUMNS: dict[str, list[tuple[str, str, str]]] = {
    "CONTACT": [("email", "Email", "text"), ("city", "City", "text")],
    "DEAL": [
        ("dealstage", "Stage", "text"),
        ("amount", "Amount", "money"),
        ("closedate", "Close date", "ms"),
    ],
    "PRODUCT": [("hs_sku", "SKU", "text"), ("price", "Price", "money")],
    "LINE_ITEM": [
        ("quantity", "Quantity", "text"),
        ("price", "Price", "money"),
        ("amount", "Amount", "money"),
    ],
}


def title_of(object_type: str, properties: dict[str, Any] | None, object_id: int) -> str:
    props = properties or {}
    if object_type == "CONTACT":
        name = " ".join(str(props[k]) for k in ("firstname", "lastname") if props.get(k))
        title = name or props.get("email")
    elif object_type == "DEAL":
        title = props.get("dealname")
    else:
        title = props.get("name") or props.get("productname")
    return str(title) if title else f"{TYPE_LABELS.get(object_type, object_type)[:-1]} {object_id}"


def object_url(object_type: str, object_id: int) -> str:
    return f"/app/objects/{TYPE_SLUGS[object_type]}/{object_id}"


def to_number(value: Any) -> float | None:
    """A property value as a number, or None when it is empty or not numeric."""
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None
