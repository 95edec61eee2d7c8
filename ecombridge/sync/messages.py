"""Sync messages as the engine applies them, whatever API version or import page they came from.

Intake normalises every accepted message into ``Message`` (ids as strings, ``changedAt`` as int
epoch ms, missing maps as empty) and stores the batch; workers decode it back with msgspec.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import msgspec

from ecombridge.change_feed import Origin

OBJECT_TYPES = ("CONTACT", "PRODUCT", "DEAL", "LINE_ITEM")
Action = Literal["UPSERT", "DELETE"]


class Message(msgspec.Struct, frozen=True, array_like=True):
    external_id: str
    action: Action
    changed_at: int
    properties: dict[str, Any]
    associations: dict[str, list[str]]


@dataclass(frozen=True)
class BatchContext:
    """Where a batch's messages belong: whose data, which store, which object type."""

    portal_id: int
    source_app_id: int
    store_id: str
    object_type: str
    # Where the messages came from: "sync" (the sync-messages APIs) or "import" (import pages).
    origin: Origin = "sync"


_encoder = msgspec.json.Encoder()
_decoder = msgspec.json.Decoder(list[Message])


def encode_messages(messages: list[Message]) -> bytes:
    return _encoder.encode(messages)


def decode_messages(payload: bytes) -> list[Message]:
    return _decoder.decode(payload)
