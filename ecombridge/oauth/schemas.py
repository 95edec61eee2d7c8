"""OAuth wire models, keyed exactly as HubSpot's OAuth v1 API spelled them (snake_case there)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel


class TokenResponse(BaseModel):
    token_type: Literal["bearer"] = "bearer"
    refresh_token: str
    access_token: str
    expires_in: int


class AccessTokenInfo(BaseModel):
    token: str
    user: None = None
    hub_domain: None = None
    scopes: list[str]
    hub_id: int
    app_id: int
    expires_in: int
    user_id: None = None
    token_type: Literal["access"] = "access"


class RefreshTokenInfo(BaseModel):
    token: str
    user: None = None
    hub_domain: None = None
    scopes: list[str]
    hub_id: int
    client_id: str
    user_id: None = None
    token_type: Literal["refresh"] = "refresh"
