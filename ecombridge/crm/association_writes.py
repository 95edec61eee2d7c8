"""Associations made and removed through the CRM API: v4 association writes, objects created
with ``associations`` and a line item's ``hs_product_id``.

A pair is stored once, from the child's side (DEAL->CONTACT, LINE_ITEM->DEAL,
LINE_ITEM->PRODUCT), so both directions of a pair are one row. The sync apply keeps each child's
association list of a type by last-writer-wins (``versions["a"][type] = [changedAt, external
ids]``) and replaces the list's pairs when a newer message changes the list. A CRM association
write counts as a write of the child's list of that type at the time of the request: it stamps
the list's time (keeping the external ids the sync sent), so a sync message older than the write
leaves the pairs alone, and a newer one that changes the list replaces them, pairs made through
the CRM API included.

A line item has one product, named by its ``hs_product_id``: associating a product replaces the
line item's product and sets ``hs_product_id``; removing it clears ``hs_product_id`` (or names
the product left, when the sync gave the line item several).

These functions write pairs and children; callers check that the objects exist and publish the
children returned (``change_feed``), together with the other objects they changed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy.engine import Connection

from ecombridge.crm import write_repository as repo
from ecombridge.sync.apply import association_repository as arepo
from ecombridge.sync.apply.repository import encode_json, update_objects

Pair = tuple[int, int]  # (child id, parent id)


def make(
    conn: Connection,
    portal_id: int,
    child_type: str,
    parent_type: str,
    pairs: Sequence[Pair],
    now: int,
) -> set[int]:
    """Associate each child with its parent; returns the children whose associations changed
    (a pair that exists already changes nothing)."""
    if not pairs:
        return set()
    existing = set(repo.pairs_of(conn, portal_id, child_type, parent_type, (c for c, _ in pairs)))
    if (child_type, parent_type) == ("LINE_ITEM", "PRODUCT"):
        wanted: dict[int, int | None] = dict(pairs)  # the last pair of a line item wins
        products = {child: {p for c, p in existing if c == child} for child in wanted}
        changed = {child: p for child, p in wanted.items() if products[child] != {p}}
        return set_products(conn, portal_id, changed, now)
    new = sorted(set(pairs) - existing)
    rows = [(portal_id, child_type, child, parent_type, parent, now) for child, parent in new]
    arepo.insert_associations(conn, rows)
    return _touch(conn, portal_id, child_type, parent_type, (c for c, _ in new), now)


def remove(
    conn: Connection,
    portal_id: int,
    child_type: str,
    parent_type: str,
    pairs: Sequence[Pair],
    now: int,
) -> set[int]:
    """Remove the pairs (those that do not exist are ignored); returns the children whose
    associations changed."""
    if not pairs:
        return set()
    existing = set(repo.pairs_of(conn, portal_id, child_type, parent_type, (c for c, _ in pairs)))
    gone = sorted(existing & set(pairs))
    repo.delete_pairs(conn, portal_id, child_type, parent_type, gone)
    children = {child for child, _ in gone}
    if (child_type, parent_type) != ("LINE_ITEM", "PRODUCT"):
        return _touch(conn, portal_id, child_type, parent_type, children, now)
    left: dict[int, int | None] = dict.fromkeys(children)
    for child, product in sorted(existing - set(gone), reverse=True):
        if child in left:
            left[child] = product  # the lowest id left
    return _touch(conn, portal_id, child_type, parent_type, children, now, left)


def set_products(
    conn: Connection, portal_id: int, products: dict[int, int | None], now: int
) -> set[int]:
    """Give each line item its product (None: no product), replacing the ones it had."""
    if not products:
        return set()
    line_items = sorted(products)
    arepo.delete_associations(conn, portal_id, "LINE_ITEM", "PRODUCT", line_items)
    made = [
        (portal_id, "LINE_ITEM", line_item, "PRODUCT", product, now)
        for line_item, product in sorted(products.items())
        if product is not None
    ]
    arepo.insert_associations(conn, made)
    return _touch(conn, portal_id, "LINE_ITEM", "PRODUCT", line_items, now, products)


def _touch(
    conn: Connection,
    portal_id: int,
    child_type: str,
    parent_type: str,
    child_ids: Iterable[int],
    now: int,
    products: dict[int, int | None] | None = None,
) -> set[int]:
    """Stamp the children's lists of ``parent_type`` with ``now`` and mark them modified; a
    line item's ``hs_product_id`` becomes its product of ``products``."""
    updates: list[tuple[Any, ...]] = []
    for row in repo.objects_for_write(conn, portal_id, child_type, child_ids).values():
        properties, versions = row.properties, row.versions
        lists = versions["a"] = dict(versions.get("a") or {})
        seen = lists.get(parent_type)
        lists[parent_type] = [max(seen[0], now), seen[1]] if seen else [now, []]
        if products is not None and row.id in products:
            product = products[row.id]
            if product is None:
                properties.pop("hs_product_id", None)
            else:
                properties["hs_product_id"] = str(product)
            versions["p"] = {**(versions.get("p") or {}), "hs_product_id": now}
        properties["lastmodifieddate"] = now
        updates.append(
            (
                encode_json(properties),
                row.email_key,
                encode_json(versions),
                now,
                portal_id,
                child_type,
                row.id,
            )  # OBJECT_UPDATE_COLUMNS
        )
    update_objects(conn, updates)
    return {update[6] for update in updates}
