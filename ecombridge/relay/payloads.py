"""Our objects as the target's upsert inputs: the external id, the properties it may take, the
stage and product ids translated.

- ``ecombridge_external_id`` = ``source:store:externalObjectId`` of the object's oldest live
  sync link (source = the app id that synced it, 0 for the portal's own integration), or
  ``crm::objectId`` for an object written through the CRM API.
- An object the target already holds (its target id is recorded) is updated by that id; a new
  one is upserted: contacts with an email by ``email`` (HubSpot's key for them), the others by
  the external id.
- Deals: ``pipeline``/``dealstage`` of the ecommerce pipeline become the target's ids; a deal in
  another pipeline is delivered without them (the target's default pipeline applies).
- Line items: ``hs_product_id`` becomes the target's id of the product, when it was delivered.
- Read-only and bookkeeping properties (``hs_object_id``, last-modified dates, the provided
  ``ip__ecomm_bridge__`` ones) are not sent, nor properties the target does not have.
- An object whose every sync link is tombstoned by a DELETE, or that is archived, is not
  delivered any more (STOPPED): the target keeps what it had.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.engine import Connection

from ecombridge.crm.property_checks import READ_ONLY
from ecombridge.crm_schema.pipelines import ecommerce_pipeline_id
from ecombridge.relay import repository as repo
from ecombridge.relay import source_repository as source
from ecombridge.relay.definitions import EXTERNAL_ID

NOT_SENT = READ_ONLY | {"createdate", "hs_createdate"}


@dataclass(frozen=True, slots=True)
class Item:
    object_id: int
    changed_at: int
    id_property: str
    key: str  # the value of id_property that names the object in the target
    properties: dict[str, str]
    target_id: str | None = None  # the target's id, once delivered: updates go by it


@dataclass(frozen=True, slots=True)
class Page:
    items: list[Item]
    stopped: list[tuple[int, int]]  # (object id, changedAt) no longer delivered
    # Properties our objects hold that the target's record does not list (created in our
    # portal after the set-up): the set-up is extended with them before the page is sent.
    unknown: set[str] = field(default_factory=set)


def external_id(link: Any | None, object_id: int) -> str:
    if link is None:
        return f"crm::{object_id}"
    return f"{link.source_app_id}:{link.store_id}:{link.external_id}"


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def build_page(
    conn: Connection,
    portal_id: int,
    destination_id: int,
    target: dict[str, Any],
    object_type: str,
    waiting: list[tuple[int, int]],
) -> Page:
    ids = [object_id for object_id, _ in waiting]
    found = source.objects(conn, portal_id, object_type, ids)
    links: dict[int, list[Any]] = {}
    for link in source.sync_links(conn, portal_id, object_type, ids):
        links.setdefault(int(link.hubspot_id), []).append(link)
    allowed = set(target.get("properties", {}).get(object_type, []))
    checked = set(target.get("unavailable", {}).get(object_type, []))
    theirs_by_id = repo.target_ids(conn, destination_id, object_type, ids)
    products: dict[int, str] = {}
    if object_type == "LINE_ITEM":
        product_ids = set()
        for found_row in found.values():
            raw = (found_row.properties or {}).get("hs_product_id")
            if raw is not None and str(raw).isdigit():
                product_ids.add(int(raw))
        products = repo.target_ids(conn, destination_id, "PRODUCT", product_ids)
    our_pipeline = ecommerce_pipeline_id(portal_id)
    items, stopped, unknown = [], [], set[str]()
    for object_id, changed_at in waiting:
        row = found.get(object_id)
        own = links.get(object_id, [])
        live = [link for link in own if link.deleted_at is None]
        if row is None or row.archived or (own and not live):
            stopped.append((object_id, changed_at))
            continue
        properties: dict[str, str] = {}
        for name, value in (row.properties or {}).items():
            if value is None or name in NOT_SENT:
                continue
            if not allowed or name in allowed:
                properties[name] = _text(value)
            elif name not in checked:  # not in the recorded set-up: the set-up is extended
                unknown.add(name)
        if object_type == "DEAL":
            _translate_stage(properties, target, our_pipeline)
        if object_type == "LINE_ITEM":
            product = (row.properties or {}).get("hs_product_id")
            theirs = products.get(int(product)) if product and str(product).isdigit() else None
            properties.pop("hs_product_id", None)
            if theirs is not None:
                properties["hs_product_id"] = theirs
        key = external_id(live[0] if live else None, object_id)
        properties[EXTERNAL_ID] = key
        email = properties.get("email") if object_type == "CONTACT" else None
        known = theirs_by_id.get(object_id)
        if email:
            items.append(Item(object_id, changed_at, "email", email, properties, known))
        else:
            items.append(Item(object_id, changed_at, EXTERNAL_ID, key, properties, known))
    return Page(items, stopped, unknown)


def _translate_stage(properties: dict[str, str], target: dict[str, Any], ours: str) -> None:
    pipeline = properties.pop("pipeline", None)
    stage = properties.pop("dealstage", None)
    if pipeline not in (None, ours):
        return
    theirs = target.get("stages", {}).get(stage) if stage else None
    if theirs is not None:
        properties["pipeline"] = str(target.get("pipelineId"))
        properties["dealstage"] = theirs


def update_input(item: Item) -> dict[str, Any]:
    """HubSpot's SimplePublicObjectBatchInput (by the target's id)."""
    return {"id": item.target_id, "properties": item.properties}


def upsert_input(item: Item) -> dict[str, Any]:
    """HubSpot's SimplePublicObjectBatchInputUpsert."""
    return {"id": item.key, "idProperty": item.id_property, "properties": item.properties}
