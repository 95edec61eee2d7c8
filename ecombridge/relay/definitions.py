"""The relay's fixed names: states, job kind, object types in delivery order and the target's
names for them."""

from __future__ import annotations

RELAY_JOB = "RELAY_DELIVER"

# Phases a destination goes through; PAUSED and FAILING are shown over them.
SETTING_UP, BACKFILLING, LIVE = "SETTING_UP", "BACKFILLING", "LIVE"
PAUSED, FAILING = "PAUSED", "FAILING"
STATES = (SETTING_UP, BACKFILLING, LIVE, PAUSED, FAILING)

DEFAULT_BASE_URL = "https://api.hubapi.com"

# Dependency order: what others point at is delivered first.
DELIVERY_ORDER = ("PRODUCT", "CONTACT", "DEAL", "LINE_ITEM")
CRM_NAMES = {
    "CONTACT": "contacts",
    "DEAL": "deals",
    "PRODUCT": "products",
    "LINE_ITEM": "line_items",
}

# The property in the target that holds each object's portal-unique external id, and the group
# the relay files its properties in.
EXTERNAL_ID = "ecombridge_external_id"
GROUP = "ecombridge"
GROUP_LABEL = "Ecommerce bridge"

# The category of a delivery failure in sync error listings (docs/relay.md).
DESTINATION_ERROR = "DESTINATION_ERROR"


def state_of(phase: str, paused: bool, failing_reason: str | None) -> str:
    if paused:
        return PAUSED
    if failing_reason:
        return FAILING
    return phase
