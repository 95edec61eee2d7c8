"""How objects are named and summarised on pages."""

from __future__ import annotations

from typing import Any

# URL slug <-> bridge object type
SLUGS = {"contacts": "CONTACT", "deals": "DEAL", "products": "PRODUCT", "line-items": "LINE_ITEM"}
TYPE_SLUGS = {object_type: slug for slug, object_type in SLUGS.items()}
TYPE_LABELS = {
    "CONTACT": "Customers",
    "DEAL": "Orders",
    "PRODUCT": "Products",
    "LINE_ITEM": "Line items",
}
# Number properties that hold money, per type (CRM schemas carry no currency flag).
MONEY_PROPERTIES: dict[str, frozenset[str]] = {
    "CONTACT": frozenset(),
    "DEAL": frozenset(
        {"amount", "ip__ecomm_bridge__discount_amount", "ip__ecomm_bridge__tax_amount"}
    ),
    "PRODUCT": frozenset({"price"}),
    "LINE_ITEM": frozenset({"price", "amount", "discount", "tax"}),
}
# The property that names a record's own currency, per type.
CURRENCY_PROPERTY = {"DEAL": "deal_currency_code", "LINE_ITEM": "hs_line_item_currency_code"}
SYSTEM_PREFIXES = ("ip__ecomm_bridge__", "hs_")


def is_system(name: str) -> bool:
    """Properties the bridge or the CRM keeps for itself, hidden unless asked for."""
    return name.startswith(SYSTEM_PREFIXES)


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
