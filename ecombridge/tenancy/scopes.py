"""OAuth scopes as HubSpot names them: the ones the bridge grants and what each API requires.

An OAuth access token or a private-app token may call an endpoint when it carries *one of* the
scopes the endpoint lists (HubSpot's "one or more of the following scopes are required"). Portal
and developer API keys are not scoped: they have full access, as HubSpot's API keys had.
"""

from __future__ import annotations

from enum import StrEnum

from ecombridge.errors import ValidationFailed

# Scopes that grant access to the Ecommerce Bridge endpoints (sync, stores, status, imports).
SYNC_SCOPES = frozenset({"integration-sync", "e-commerce"})

_OBJECT_NAMES = {
    "CONTACT": "contacts",
    "DEAL": "deals",
    "PRODUCT": "products",
    "LINE_ITEM": "line_items",
}


class Access(StrEnum):
    READ = "read"
    WRITE = "write"


def object_scopes(object_type: str, access: Access) -> frozenset[str]:
    """CRM objects (v3 objects, search, v4 associations): contacts and deals have their own
    scopes; products and line items take ``e-commerce`` (or the newer granular scopes)."""
    name = _OBJECT_NAMES[object_type]
    scopes = {f"crm.objects.{name}.{access}"}
    if object_type in ("PRODUCT", "LINE_ITEM"):
        scopes.add("e-commerce")
    return frozenset(scopes)


def schema_scopes(object_type: str, access: Access) -> frozenset[str]:
    """Properties and property groups: ``crm.schemas.{contacts,deals}.*``; products and line
    items have no schema scopes of their own and take ``e-commerce``. Reading a schema is also
    allowed with the objects' read scope."""
    if object_type in ("PRODUCT", "LINE_ITEM"):
        return frozenset({"e-commerce"})
    name = _OBJECT_NAMES[object_type]
    scopes = {f"crm.schemas.{name}.{access}"}
    if access is Access.READ:
        scopes.add(f"crm.objects.{name}.read")
    return frozenset(scopes)


def pipeline_scopes(access: Access) -> frozenset[str]:
    """Deal pipelines and their stages."""
    return schema_scopes("DEAL", access)


# Granted when an installation or a private-app token is made without naming scopes
# (``ecombridge admin install-app``, ``create-private-app-token``): everything the bridge serves.
ALL_SCOPES = tuple(
    dict.fromkeys(
        [
            "oauth",
            "integration-sync",
            "e-commerce",
            *(
                scope
                for object_type in _OBJECT_NAMES
                for access in Access
                for scope in sorted(
                    object_scopes(object_type, access) | schema_scopes(object_type, access)
                )
            ),
        ]
    )
)

# Other scopes HubSpot defines: an app may request them (real apps ask for companies, owners or
# lists besides what they sync); they are granted, and no endpoint of the bridge needs them.
_OTHER_HUBSPOT_SCOPES = (
    "automation",
    "content",
    "conversations.read",
    "conversations.write",
    "crm.export",
    "crm.import",
    "crm.lists.read",
    "crm.lists.write",
    "crm.objects.companies.read",
    "crm.objects.companies.write",
    "crm.objects.custom.read",
    "crm.objects.custom.write",
    "crm.objects.owners.read",
    "crm.objects.quotes.read",
    "crm.objects.quotes.write",
    "crm.schemas.companies.read",
    "crm.schemas.companies.write",
    "crm.schemas.custom.read",
    "crm.schemas.line_items.read",
    "crm.schemas.quotes.read",
    "files",
    "forms",
    "sales-email-read",
    "settings.users.read",
    "social",
    "tickets",
    "timeline",
    "transactional-email",
)
KNOWN_SCOPES = frozenset(ALL_SCOPES) | frozenset(_OTHER_HUBSPOT_SCOPES)
MAX_SCOPES_LENGTH = 2000  # the width of installations.scopes and credentials.scopes


def split_scopes(raw: str | None) -> list[str]:
    """Scopes as an authorize URL or a command line carries them: separated by spaces, ``+``
    or commas; duplicates dropped."""
    return list(dict.fromkeys((raw or "").replace("+", " ").replace(",", " ").split()))


def parse_scopes(raw: str | None, optional: str | None = None) -> list[str]:
    """The scopes to grant: every requested one must be a scope HubSpot defines, at least one
    besides ``oauth``; optional ones are granted when known and dropped otherwise."""
    names = split_scopes(raw)
    if not [name for name in names if name != "oauth"]:
        raise ValidationFailed(
            "scope is required: request the scopes the app needs, e.g. integration-sync, "
            "crm.objects.contacts.read or e-commerce (and oauth)."
        )
    unknown = sorted(set(names) - KNOWN_SCOPES)
    if unknown:
        raise ValidationFailed(
            f"scope contains scopes that do not exist: {', '.join(unknown)}. "
            f"Scopes the bridge serves: {', '.join(ALL_SCOPES)}."
        )
    names += [name for name in split_scopes(optional) if name in KNOWN_SCOPES and name not in names]
    if len(" ".join(names)) > MAX_SCOPES_LENGTH:
        raise ValidationFailed(f"scope: at most {MAX_SCOPES_LENGTH} characters of scopes.")
    return names
