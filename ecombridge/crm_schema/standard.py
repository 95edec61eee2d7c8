"""The properties every portal has: HubSpot's standard ones the integrations map to, and the
bridge-managed ``ip__ecomm_bridge__*`` ones. Pure data, installed by
``service.ensure_portal_schema``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

MANAGED_GROUP = "ip__ecomm_bridge__ecomm_bridge"
MANAGED_PREFIX = "ip__ecomm_bridge__"

# Property type -> the field type HubSpot shows it with by default.
FIELD_TYPES = {
    "string": "text",
    "number": "number",
    "datetime": "date",
    "date": "date",
    "bool": "booleancheckbox",
    "enumeration": "select",
}

# Where HubSpot files an object type's own properties.
INFORMATION_GROUPS = {
    "CONTACT": "contactinformation",
    "DEAL": "dealinformation",
    "PRODUCT": "productinformation",
    "LINE_ITEM": "lineiteminformation",
}

GROUP_LABELS = {
    "contactinformation": "Contact information",
    "dealinformation": "Deal information",
    "productinformation": "Product information",
    "lineiteminformation": "Line item information",
    MANAGED_GROUP: "Ecommerce Bridge",
}


def portal_groups(object_type: str) -> tuple[tuple[str, str], ...]:
    """(name, label) of the groups every portal has for ``object_type``."""
    own = INFORMATION_GROUPS[object_type]
    return ((own, GROUP_LABELS[own]), (MANAGED_GROUP, GROUP_LABELS[MANAGED_GROUP]))


@dataclass(frozen=True)
class PropertyDef:
    name: str
    label: str
    type: str = "string"
    description: str = ""
    options: tuple[tuple[str, str], ...] = field(default=())  # (value, label)
    group_name: str | None = None  # None: the object type's information group
    hubspot_defined: bool = True

    @property
    def field_type(self) -> str:
        return FIELD_TYPES[self.type]

    def options_json(self) -> list[dict[str, Any]]:
        return [
            {"label": label, "value": value, "displayOrder": i, "hidden": False}
            for i, (value, label) in enumerate(self.options)
        ]


@dataclass(frozen=True)
class StageDef:
    id: str
    label: str
    probability: float
    is_closed: bool


PIPELINE_LABEL = "Ecommerce Pipeline"

# The six fixed stage ids (values of ``dealstage``), in display order.
ECOMMERCE_STAGES = (
    StageDef("checkout_abandoned", "Checkout Abandoned", 0.1, False),
    StageDef("checkout_pending", "Checkout Pending", 0.2, False),
    StageDef("checkout_completed", "Checkout Completed", 0.6, False),
    StageDef("processed", "Processed", 1.0, True),
    StageDef("shipped", "Shipped", 1.0, True),
    StageDef("cancelled", "Cancelled", 0.0, True),
)

_CREATED = PropertyDef("createdate", "Create Date", "datetime")

STANDARD_PROPERTIES: dict[str, tuple[PropertyDef, ...]] = {
    "CONTACT": (
        PropertyDef("email", "Email", description="A contact's email address"),
        PropertyDef("firstname", "First Name"),
        PropertyDef("lastname", "Last Name"),
        PropertyDef("phone", "Phone Number"),
        PropertyDef("mobilephone", "Mobile Phone Number"),
        PropertyDef("company", "Company Name"),
        PropertyDef("address", "Street Address"),
        PropertyDef("city", "City"),
        PropertyDef("state", "State/Region"),
        PropertyDef("zip", "Postal Code"),
        PropertyDef("country", "Country/Region"),
        PropertyDef("jobtitle", "Job Title"),
        PropertyDef(
            "hs_email_optout",
            "Unsubscribed from all email",
            "bool",
            description="The contact opted out of every email the workflows send",
        ),
        _CREATED,
        PropertyDef("lastmodifieddate", "Last Modified Date", "datetime"),
    ),
    "DEAL": (
        PropertyDef("dealname", "Deal Name"),
        PropertyDef(
            "dealstage",
            "Deal Stage",
            "enumeration",
            description="The stage of the deal in the ecommerce pipeline",
            options=tuple((s.id, s.label) for s in ECOMMERCE_STAGES),
        ),
        PropertyDef("amount", "Amount", "number"),
        PropertyDef("closedate", "Close Date", "datetime"),
        _CREATED,
        PropertyDef("description", "Deal Description"),
        PropertyDef(
            "dealtype",
            "Deal Type",
            "enumeration",
            options=(("newbusiness", "New Business"), ("existingbusiness", "Existing Business")),
        ),
        PropertyDef("pipeline", "Pipeline"),
    ),
    "PRODUCT": (
        PropertyDef("name", "Name"),
        PropertyDef("description", "Description"),
        PropertyDef("price", "Unit price", "number"),
        PropertyDef("hs_sku", "SKU"),
        _CREATED,
    ),
    "LINE_ITEM": (
        PropertyDef("quantity", "Quantity", "number"),
        PropertyDef("price", "Unit price", "number"),
        PropertyDef("amount", "Net price", "number"),
        PropertyDef("discount", "Unit discount", "number"),
        PropertyDef("tax", "Tax", "number"),
        PropertyDef("name", "Name"),
        PropertyDef("description", "Description"),
        PropertyDef("hs_product_id", "Product ID"),
        PropertyDef("hs_line_item_currency_code", "Currency"),
        _CREATED,
    ),
}


def _managed(name: str, label: str, type_: str = "string", description: str = "") -> PropertyDef:
    return PropertyDef(
        MANAGED_PREFIX + name,
        label,
        type_,
        description=description,
        group_name=MANAGED_GROUP,
        hubspot_defined=False,
    )


_ECOMM_LABELS = {
    "CONTACT": "Ecommerce contact",
    "DEAL": "Ecommerce deal",
    "PRODUCT": "Ecommerce product",
    "LINE_ITEM": "Ecommerce line item",
}


def _provided(object_type: str) -> tuple[PropertyDef, ...]:
    """Set by the bridge on every object it syncs (the "provided mappings")."""
    return (
        _managed(
            "ecomm_synced",
            _ECOMM_LABELS[object_type],
            "bool",
            "True for objects synced through the Ecommerce Bridge",
        ),
        _managed("source_app_id", "Source app ID", description="Apps that synced this object"),
        _managed("source_store_id", "Source store", description="Stores that synced this object"),
    )


PROVIDED_PROPERTY_NAMES = tuple(p.name for p in _provided("CONTACT"))

MANAGED_PROPERTIES: dict[str, tuple[PropertyDef, ...]] = {
    "CONTACT": _provided("CONTACT"),
    "DEAL": (
        *_provided("DEAL"),
        _managed("abandoned_cart_url", "Abandoned cart URL"),
        _managed("discount_amount", "Discount savings", "number"),
        _managed("order_number", "Order number"),
        _managed("shipment_ids", "Shipment IDs"),
        _managed("tax_amount", "Tax price", "number"),
    ),
    "PRODUCT": (*_provided("PRODUCT"), _managed("image_url", "Product image URL")),
    "LINE_ITEM": _provided("LINE_ITEM"),
}


def portal_properties(object_type: str) -> tuple[PropertyDef, ...]:
    """Every property a portal has for ``object_type`` once its schema is in place."""
    return STANDARD_PROPERTIES[object_type] + MANAGED_PROPERTIES[object_type]
