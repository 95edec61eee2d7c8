"""Names the CRM API uses for object types and associations, and per-type defaults.

Association type ids follow HubSpot's HUBSPOT_DEFINED ids where HubSpot has one (deal<->contact
3/4, line item<->deal 20/19). HubSpot never published a line item<->product association (line
items carry ``hs_product_id``), so the bridge defines 2001 (line item -> product) and 2002
(product -> line item) in the same category.
"""

from __future__ import annotations

from ecombridge.crm_schema.object_types import PLURAL, SINGULAR, find_object_type
from ecombridge.errors import ValidationFailed

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


# HubSpot's object type ids, as v4 association answers name types.
OBJECT_TYPE_IDS = {"CONTACT": "0-1", "DEAL": "0-3", "PRODUCT": "0-7", "LINE_ITEM": "0-8"}
# The pairs the bridge models, as (child, parent): stored once, from the child's side.
STORED_PAIRS = (("DEAL", "CONTACT"), ("LINE_ITEM", "DEAL"), ("LINE_ITEM", "PRODUCT"))
SUPPORTED_PAIRS = "deals<->contacts, line_items<->deals and line_items<->products"


def stored_pair(from_type: str, to_type: str) -> tuple[str, str] | None:
    """(child, parent) of an association between the two types, either way; None when the
    bridge does not model that pair."""
    if (from_type, to_type) in STORED_PAIRS:
        return from_type, to_type
    if (to_type, from_type) in STORED_PAIRS:
        return to_type, from_type
    return None


def association_pair(from_name: str, to_name: str) -> tuple[str, str]:
    """The bridge's types of a v4 path's pair; a 400 naming the supported pairs when the bridge
    does not model it."""
    from_type, to_type = object_type(from_name), object_type(to_name)
    if stored_pair(from_type, to_type) is None:
        raise ValidationFailed(
            f"Associations between {PLURAL[from_type]} and {PLURAL[to_type]} are not "
            f"supported; supported pairs are {SUPPORTED_PAIRS}."
        )
    return from_type, to_type


def object_type(name: str) -> str:
    """The bridge's object type for a CRM path name (contacts, deals, products, line_items)."""
    found = find_object_type(name)
    if found is None:
        raise ValidationFailed(
            f"Unable to infer object type from: {name}; supported object types are "
            f"{', '.join(PLURAL.values())}."
        )
    return found


def last_modified_name(object_type: str) -> str:
    return "lastmodifieddate" if object_type == "CONTACT" else "hs_lastmodifieddate"


def association_label(from_type: str, to_type: str) -> str:
    """v3's association ``type``, e.g. deal_to_contact."""
    return f"{SINGULAR[from_type]}_to_{SINGULAR[to_type]}"
