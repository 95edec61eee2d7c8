"""Messages creating the object of a new link are applied without the general merge
(``sync.apply.fresh``); the database ends exactly as if the general path had applied them: every
row and column, processing times and resolved errors included."""

from __future__ import annotations

import json
import os
import random
from collections import defaultdict
from typing import Any
from unittest import mock

import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ecombridge.crm_schema.pipelines import ecommerce_pipeline_id
from ecombridge.db.engine import Database
from ecombridge.db.tables import (
    associations,
    crm_objects,
    pending_associations,
    sync_errors,
    sync_objects,
)
from ecombridge.sync.apply import batch as apply
from ecombridge.sync.messages import Message
from tests.support.factories import make_portal
from tests.sync.apply_support import Bridge
from tests.sync.test_apply_convergence import _batches, message_sets


def _run(db: Database, batches: list[tuple[str, list[Message]]], fresh: bool) -> dict[str, Any]:
    bridge = Bridge(db, make_portal(db).id).setup()
    stores = {"default": bridge, "eu": Bridge(db, bridge.portal_id, store_id="eu")}
    general_only = mock.patch.object(apply, "take_fresh", lambda *args: [])
    with mock.patch.object(apply, "take_fresh", apply.take_fresh) if fresh else general_only:
        for at, (where, batch) in enumerate(batches, start=10_000):
            object_type, _, store = where.partition("@")
            stores[store or "default"].sync(object_type, *batch, at=at)
    return strict_snapshot(db, bridge.portal_id)


def strict_snapshot(db: Database, portal_id: int) -> dict[str, Any]:
    """Every row of the portal, with hubspotIds replaced by the links naming them (the two
    paths allocate ids in different orders)."""
    with db.read() as conn:

        def rows(table: sa.Table) -> list[Any]:
            return list(conn.execute(sa.select(table).where(table.c.portal_id == portal_id)))

        links, objects = rows(sync_objects), rows(crm_objects)
        errors, made, pending = rows(sync_errors), rows(associations), rows(pending_associations)
    names: dict[int, list[str]] = defaultdict(list)
    for link in links:
        if link.hubspot_id is not None:
            names[link.hubspot_id].append(f"{link.store_id}/{link.object_type}:{link.external_id}")
    name = {object_id: "+".join(sorted(ns)) for object_id, ns in names.items()}

    def properties(row: Any) -> dict[str, Any]:
        props = dict(row.properties)
        props["hs_object_id"] = name[props["hs_object_id"]]
        if "hs_product_id" in props:
            props["hs_product_id"] = name[int(props["hs_product_id"])]
        if props.get("pipeline") == ecommerce_pipeline_id(portal_id):  # a UUID per portal
            props["pipeline"] = "ecommerce"
        return props

    def plain(row: Any, *id_columns: str) -> str:
        """The row without its portal (each run has its own), with ids named, as text."""
        values = row._asdict()
        del values["portal_id"]
        for column in id_columns:
            values[column] = name.get(values[column])
        return repr(sorted(values.items()))

    return {
        "links": sorted(plain(r, "hubspot_id") for r in links),
        "objects": sorted(
            (name[r.id], _text(properties(r)), _text(r.versions), r.email_key, r.created_at)
            for r in objects
        ),
        "errors": sorted(plain(r) for r in errors),
        "associations": sorted((name[r.from_id], name[r.to_id], r.created_at) for r in made),
        "pending": sorted(plain(r) for r in pending),
    }


def _text(document: dict[str, Any]) -> str:
    """A JSON document as text whatever the order of its keys."""
    return json.dumps(document, sort_keys=True)


@settings(
    max_examples=int(os.environ.get("CONVERGENCE_EXAMPLES", "40")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(messages=message_sets(), seed=st.integers(0, 2**32 - 1))
def test_the_fresh_path_leaves_what_the_general_path_leaves(
    db: Database, messages: list[tuple[str, Message]], seed: int
) -> None:
    batches = _batches(messages, random.Random(seed))

    assert _run(db, batches, fresh=True) == _run(db, batches, fresh=False)


def test_a_realistic_shop_takes_the_fresh_path_with_the_same_result(db: Database) -> None:
    messages = [
        ("PRODUCT", Message("p0", "UPSERT", 1, {"name": "Mug", "price": 4.5}, {})),
        ("CONTACT", Message("c0", "UPSERT", 2, {"email": "Ada@Example.com"}, {})),
        ("CONTACT", Message("c1", "UPSERT", 2, {"email": "ada@example.com"}, {})),  # same one
        ("DEAL", Message("d0", "UPSERT", 3, {"stage": "processed"}, {"CONTACT": ["c0"]})),
        ("DEAL", Message("d1", "UPSERT", 3, {"stage": "shipped"}, {"CONTACT": ["c9"]})),
        ("LINE_ITEM", Message("l0", "UPSERT", 4, {"qty": 2}, {"DEAL": ["d0"], "PRODUCT": ["p0"]})),
        ("LINE_ITEM", Message("l1", "UPSERT", 4, {"qty": 1}, {"PRODUCT": ["p9"]})),
        ("PRODUCT", Message("p9", "UPSERT", 5, {"name": "Cup"}, {})),
    ]
    batches = _batches(messages, random.Random(7))

    taken: list[int] = []
    original = apply.take_fresh

    def counting(*args: Any) -> Any:
        found = original(*args)
        taken.append(len(found))
        return found

    with mock.patch.object(apply, "take_fresh", counting):
        with_fresh = _run(db, batches, fresh=True)
    assert sum(taken) == 6  # all but the two contacts of one email: the general path links them
    assert with_fresh == _run(db, batches, fresh=False)
