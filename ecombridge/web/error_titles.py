"""Sync error types in plain words: a title and what to do about it."""

from __future__ import annotations

import json

TITLES: dict[str, tuple[str, str]] = {
    "UNKNOWN_ERROR": (
        "Unexpected error",
        "Send the record again; if it keeps failing, check the bridge's logs.",
    ),
    "INACTIVE_PORTAL": (
        "Portal inactive",
        "The portal was deactivated; nothing syncs until it is active again.",
    ),
    "NO_SYNC_SETTINGS": (
        "No sync settings",
        "Save ecommerce settings for this source (Mappings) before syncing.",
    ),
    "SETTINGS_NOT_ENABLED": (
        "Sync turned off",
        "Enable sync in the source's settings (Mappings).",
    ),
    "BAD_SETTINGS": (
        "Settings invalid",
        "Fix the source's settings (Mappings) and send the record again.",
    ),
    "EMPTY_MESSAGE": (
        "Empty message",
        "The message carried no properties; send it with its values.",
    ),
    "NO_MAPPINGS_DEFINED": (
        "No mappings for this type",
        "Add property mappings for this object type (Mappings).",
    ),
    "MISSING_REQUIRED_PROPERTY": (
        "Required value missing",
        "A required property (a contact's email) was not sent.",
    ),
    "NO_PROPERTIES_DEFINED": (
        "Mapped properties missing",
        "None of the mapped properties exist in the portal: fix the mappings.",
    ),
    "NO_DEFINED_PROPERTIES": (
        "Mapped properties missing",
        "None of the mapped properties exist in the portal: fix the mappings.",
    ),
    "INVALID_ASSOCIATION_PROPERTY": (
        "Linked record not found",
        "A record this one points to has not arrived yet; it is linked as soon as it does.",
    ),
    "MISSING_ASSOCIATED_OBJECT": (
        "Linked record not found",
        "A record this one points to does not exist.",
    ),
    "INVALID_DEAL_STAGE": (
        "Unknown deal stage",
        "The stage is not one of the ecommerce pipeline's stages.",
    ),
    "INVALID_EMAIL_ADDRESS": (
        "Invalid email address",
        "Correct the customer's email in the store and sync again.",
    ),
    "PORTAL_NOT_SYNC_ENABLED": (
        "Portal not set up for sync",
        "Run the ecommerce install or define a store first.",
    ),
    "CREATE_FAIL_NO_INFO": (
        "Could not create the record",
        "Send the record again.",
    ),
    "UPDATE_FAIL_NO_INFO": (
        "Could not update the record",
        "Send the record again.",
    ),
    "DELETE_FAIL_NO_INFO": (
        "Could not delete the record",
        "Send the delete again.",
    ),
    "INVALID_ENUM_PROPERTY": (
        "Value not among the options",
        "A value is not one of the property's options.",
    ),
    "ERROR_INVALID_DATE_PROPERTY": (
        "Invalid date",
        "A date property holds something that is not a date.",
    ),
}


def error_title(error_type: str) -> str:
    found = TITLES.get(error_type)
    return found[0] if found else error_type.replace("_", " ").capitalize()


def error_hint(error_type: str) -> str:
    found = TITLES.get(error_type)
    return found[1] if found else ""


def error_message(details: str) -> str:
    """The readable part of an error's details (some carry a JSON object with a message)."""
    try:
        parsed = json.loads(details)
    except (TypeError, ValueError):
        return details
    message = parsed.get("message") if isinstance(parsed, dict) else None
    return message if isinstance(message, str) else details
