"""The relay's wire shapes: what adding or changing a destination takes (a 400 naming the field
otherwise), and a destination's status as answered."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ecombridge.errors import ValidationFailed
from ecombridge.relay.definitions import DEFAULT_BASE_URL
from ecombridge.stores.service import is_valid_store_id

MAX_STORES = 100
MAX_TOKEN = 500


@dataclass(frozen=True)
class NewDestination:
    base_url: str
    access_token: str
    store_ids: list[str] | None


@dataclass(frozen=True)
class DestinationChanges:
    paused: bool | None = None
    access_token: str | None = None


def _object(body: Any, fields: tuple[str, ...]) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise ValidationFailed(f"The body must be a JSON object with {', '.join(fields)}.")
    unknown = sorted(set(body) - set(fields))
    if unknown:
        raise ValidationFailed(f"{unknown[0]}: unknown field; known: {', '.join(fields)}.")
    return body


def access_token(value: Any) -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > MAX_TOKEN:
        raise ValidationFailed(
            f"accessToken: the destination's private-app token (a string of at most {MAX_TOKEN} "
            "characters) is required."
        )
    return value.strip()


def store_ids(value: Any) -> list[str] | None:
    if value is None:
        return None
    if (
        not isinstance(value, list)
        or not value
        or len(value) > MAX_STORES
        or not all(isinstance(s, str) and is_valid_store_id(s) for s in value)
    ):
        raise ValidationFailed(
            f"storeIds: a list of 1 to {MAX_STORES} store ids, or null for the whole portal."
        )
    return sorted(set(value))


def base_url(value: Any) -> str:
    if value is None:
        return DEFAULT_BASE_URL
    if not isinstance(value, str) or not value.startswith(("http://", "https://")):
        raise ValidationFailed(
            "baseUrl: the CRM API's absolute http(s) URL, e.g. " + DEFAULT_BASE_URL
        )
    return value.rstrip("/")


def parse_new(body: Any) -> NewDestination:
    body = _object(body, ("baseUrl", "accessToken", "storeIds"))
    return NewDestination(
        base_url(body.get("baseUrl")),
        access_token(body.get("accessToken")),
        store_ids(body.get("storeIds")),
    )


def parse_changes(body: Any) -> DestinationChanges:
    body = _object(body, ("paused", "accessToken"))
    paused = body.get("paused")
    if paused is not None and not isinstance(paused, bool):
        raise ValidationFailed("paused: true to pause deliveries, false to resume them.")
    token = access_token(body["accessToken"]) if "accessToken" in body else None
    return DestinationChanges(paused, token)
