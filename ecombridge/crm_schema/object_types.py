"""The names HubSpot's CRM APIs give the four object types, mapped to the bridge's types."""

from __future__ import annotations

# The bridge's object types, in the order settings and schema list them.
OBJECT_TYPES = ("CONTACT", "DEAL", "PRODUCT", "LINE_ITEM")
# Path names (plural, as HubSpot spells them), singular names and object type ids -> bridge type.
OBJECT_TYPE_NAMES = {
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


def find_object_type(name: str) -> str | None:
    """The bridge's object type a CRM name stands for (any case), or None."""
    return OBJECT_TYPE_NAMES.get(name.lower())
