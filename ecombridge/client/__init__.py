"""The ecombridge Python SDK: a client for the Ecommerce Bridge API (v1 and v2).

Depends on httpx and the standard library only, so integrations can install it without the
server's dependencies::

    from ecombridge.client import Client, SyncMessage

    with Client("http://127.0.0.1:8080", api_key="...") as bridge:
        bridge.send_sync_messages("CONTACT", [SyncMessage("42", {"email": "a@example.com"})])
"""

from ecombridge.client._async_client import AsyncClient
from ecombridge.client._client import Client
from ecombridge.client._exceptions import (
    BadRequest,
    BridgeError,
    ConfigurationError,
    Conflict,
    Forbidden,
    NotFound,
    PayloadTooLarge,
    RateLimited,
    ServerError,
    TransportError,
    Unauthorized,
)
from ecombridge.client._importer import ImportEnd, Importer, ImportPage
from ecombridge.client._models import (
    CONTACT,
    DEAL,
    LINE_ITEM,
    OBJECT_TYPES,
    PRODUCT,
    ImportMessage,
    ImportProgress,
    PropertyMapping,
    Settings,
    Store,
    SyncError,
    SyncErrorPage,
    SyncMessage,
    SyncStatus,
)
from ecombridge.client._request import Retry
from ecombridge.client._v1_models import (
    InstallStatus,
    V1Settings,
    V1SyncError,
    V1SyncMessage,
    V1SyncStatus,
)
from ecombridge.client._webhooks import (
    ImportRequest,
    ImportWebhook,
    signature_v1,
    signature_v3,
    verify_signature_v1,
    verify_signature_v3,
)

__all__ = [
    "CONTACT",
    "DEAL",
    "LINE_ITEM",
    "OBJECT_TYPES",
    "PRODUCT",
    "AsyncClient",
    "BadRequest",
    "BridgeError",
    "Client",
    "ConfigurationError",
    "Conflict",
    "Forbidden",
    "ImportEnd",
    "ImportMessage",
    "ImportPage",
    "ImportProgress",
    "ImportRequest",
    "ImportWebhook",
    "Importer",
    "InstallStatus",
    "NotFound",
    "PayloadTooLarge",
    "PropertyMapping",
    "RateLimited",
    "Retry",
    "ServerError",
    "Settings",
    "Store",
    "SyncError",
    "SyncErrorPage",
    "SyncMessage",
    "SyncStatus",
    "TransportError",
    "Unauthorized",
    "V1Settings",
    "V1SyncError",
    "V1SyncMessage",
    "V1SyncStatus",
    "signature_v1",
    "signature_v3",
    "verify_signature_v1",
    "verify_signature_v3",
]
