"""Who is calling: the credential a request presented, resolved."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

CUSTOM_INTEGRATION = 0  # source_app_id of data written with a portal key or private-app token


class CredentialKind(StrEnum):
    PORTAL_API_KEY = "PORTAL_API_KEY"
    DEVELOPER_API_KEY = "DEVELOPER_API_KEY"
    ACCESS_TOKEN = "ACCESS_TOKEN"
    PRIVATE_APP_TOKEN = "PRIVATE_APP_TOKEN"
    REFRESH_TOKEN = "REFRESH_TOKEN"
    AUTHORIZATION_CODE = "AUTHORIZATION_CODE"


# How each kind is named in error messages.
KIND_NAMES = {
    CredentialKind.PORTAL_API_KEY: "a portal API key (hapikey)",
    CredentialKind.DEVELOPER_API_KEY: "a developer API key (hapikey) with appId",
    CredentialKind.ACCESS_TOKEN: "an OAuth access token of an installed app",
    CredentialKind.PRIVATE_APP_TOKEN: "a private-app token",
}


@dataclass(frozen=True)
class Principal:
    kind: CredentialKind
    portal_id: int | None = None
    developer_id: int | None = None
    app_id: int | None = None
    scopes: frozenset[str] = field(default_factory=frozenset)
    expires_at: int | None = None  # epoch ms; None: valid until revoked

    @property
    def source_app_id(self) -> int:
        """The source data written by this caller belongs to: its app, or the portal itself."""
        if self.kind is CredentialKind.ACCESS_TOKEN and self.app_id is not None:
            return self.app_id
        return CUSTOM_INTEGRATION

    @property
    def is_portal_scoped(self) -> bool:
        return self.portal_id is not None
