"""Names the CRM API uses for object types and associations, and per-type defaults.

Association type ids follow HubSpot's HUBSPOT_DEFINED ids where HubSpot has one (deal<->contact
3/4, line item<->deal 20/19). HubSpot never published a line item<->product association (line
items carry ``hs_product_id``), so the bridge defines 2001 (line item -> product) and 2002
(product -> line item) in the same category.
"""

from __future__ import annotations

from ecombridge.errors import ValidationFailed

# Path names (plural, as HubSpot spells them), singular names and object type ids -> bridge type.
_TYPE_NAMES = {
    "contacts": "CONTACT",
    "contact": "CONTACT",
    "0-1": "CONTACT",
    "deals": "DEAL",
    "deal": "DEAL",
    "0-3": "DEAL",
    "products": "PRODUCT",
    "product": "PRODUCT",
    "0-7": "PRODUCT",
    "line_items": "LINE_ITEM",
    "line_item": "LINE_ITEM",
    "0-8": "LINE_ITEM",
}
PLURAL = {"CONTACT": "contacts", "DEAL": "deals", "PRODUCT": "products", "LINE_ITEM": "line_items"}
SINGULAR = {"CONTACT": "contact", "DEAL": "deal", "PRODUCT": "product", "LINE_ITEM": "line_item"}

# Returned when a request names no properties (HubSpot's defaults), besides the system ones.
DEFAULT_PROPERTIES = {
    "CONTACT": ("email", "firstname", "lastname"),
    "DEAL": ("dealname", "amount", "closedate", "pipeline", "dealstage"),
    "PRODUCT": ("name", "description", "price"),
    "LINE_ITEM": ("name", "price", "quantity", "amount"),
}
# Searched by a free-text ``query``.
SEARCHABLE_PROPERTIES = {
    "CONTACT": ("firstname", "lastname", "email", "phone", "company"),
    "DEAL": ("dealname",),
    "PRODUCT": ("name", "description", "hs_sku"),
    "LINE_ITEM": ("name",),
}

# (from, to) -> HubSpot association type id.
ASSOCIATION_TYPE_IDS = {
    ("DEAL", "CONTACT"): 3,
    ("CONTACT", "DEAL"): 4,
    ("DEAL", "LINE_ITEM"): 19,
    ("LINE_ITEM", "DEAL"): 20,
    ("LINE_ITEM", "PRODUCT"): 2001,
    ("PRODUCT", "LINE_ITEM"): 2002,
}


def object_type(name: str) -> str:
    """The bridge's object type for a CRM path name (contacts, deals, products, line_items)."""
    found = _TYPE_NAMES.get(name.lower())
    if found is None:
        raise ValidationFailed(
            f"Unable to infer object type from: {name}; supported object types are "
            f"{', '.join(PLURAL.values())}."
        )
    return found


def last_modified_name(object_type: str) -> str:
    return "lastmodifieddate" if object_type == "CONTACT" else "hs_lastmodifieddate"


def system_properties(object_type: str) -> tuple[str, ...]:
    return ("createdate", last_modified_name(object_type), "hs_object_id")


def association_label(from_type: str, to_type: str) -> str:
    """v3's association ``type``, e.g. deal_to_contact."""
    return f"{SINGULAR[from_type]}_to_{SINGULAR[to_type]}"
