"""CRM v3 object writes: create and update (an upsert is one or the other), one input or a
batch, and archive.

Every input is checked before anything is written: its values against the property registry
(``property_checks``), a line item's product and the objects a new object is associated with,
then its unique values and a contact's email against the objects holding them and the other
inputs. An input that fails is reported and not written; the others are written together in
the caller's transaction, and every object changed is published (``change_feed``, origin
"crm").

How CRM writes meet sync messages (docs/sync-semantics.md, "Writes through the CRM API"): each
property a write sets or clears is stamped with the write time in the object's per-property
versions, so a sync message older than the write does not override it and a newer one does; a
contact's email is its ``email_key``, which sync messages link contacts by.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from ecombridge.change_feed import Changes, publish
from ecombridge.clock import now_ms
from ecombridge.crm import association_writes
from ecombridge.crm import write_repository as repo
from ecombridge.crm.catalog import stored_pair
from ecombridge.crm.ids import parse_object_id
from ecombridge.crm.property_checks import (
    Pipelines,
    PropertyError,
    Registry,
    check_values,
    invalid_values,
)
from ecombridge.crm.unique_values import value_key
from ecombridge.crm_schema.object_types import SINGULAR
from ecombridge.db.sequences import allocate_ids
from ecombridge.errors import BridgeError, Conflict, NotFound, ValidationFailed
from ecombridge.sync.apply.repository import (
    contacts_by_email,
    encode_json,
    insert_objects,
    objects_by_id,
    update_objects,
)

# A line item created with a product takes these from the product unless it sets them.
INHERITED_FROM_PRODUCT = ("name", "price", "description")


@dataclass
class Input:
    """One object to write: ``values`` as sent (names known and writable)."""

    values: dict[str, Any]
    object_id: int | None = None  # the object to update; None creates one
    restore: bool = False  # an upsert writes an archived object and restores it
    associations: list[tuple[str, int]] = field(default_factory=list)  # (to type, id): new only


@dataclass(frozen=True)
class Failure:
    category: str  # VALIDATION_ERROR, CONFLICT, OBJECT_NOT_FOUND
    message: str
    errors: list[dict[str, Any]] = field(default_factory=list)

    def exception(self) -> BridgeError:
        kind = {"CONFLICT": Conflict, "OBJECT_NOT_FOUND": NotFound}.get(self.category)
        return (kind or ValidationFailed)(self.message, errors=self.errors or None)


@dataclass
class Outcome:
    object_id: int | None = None
    created: bool = False
    failure: Failure | None = None


def publish_changes(
    conn: Connection, portal_id: int, changed: dict[str, set[int]], now: int
) -> None:
    """Publish the objects a CRM write changed (object type -> ids), all changed at ``now``."""
    for object_type, ids in sorted(changed.items()):
        publish(conn, Changes(portal_id, object_type, "crm", dict.fromkeys(sorted(ids), now)))


def not_found(object_type: str, object_id: object) -> Failure:
    return Failure(
        "OBJECT_NOT_FOUND",
        f"Object not found. {SINGULAR[object_type]} {object_id!r} does not exist.",
    )


def invalid(errors: list[PropertyError]) -> Failure:
    message, details = invalid_values(errors)
    return Failure("VALIDATION_ERROR", message, details)


@dataclass(eq=False)
class _Plan:
    input: Input
    outcome: Outcome
    stored: repo.Stored | None
    values: dict[str, Any]

    def fail(self, failure: Failure) -> None:
        if self.outcome.failure is None:
            self.outcome.failure = failure


class Writer:
    """Writes objects of one type of one portal, at one time ``now``."""

    def __init__(self, conn: Connection, portal_id: int, registry: Registry) -> None:
        self.conn = conn
        self.portal_id = portal_id
        self.registry = registry
        self.object_type = registry.object_type
        self.now = now_ms()
        self.pipelines = Pipelines.load(conn, portal_id) if self.object_type == "DEAL" else None
        # object type -> ids changed, published together by ``publish``
        self.changed: dict[str, set[int]] = defaultdict(set)

    def write(self, inputs: list[Input]) -> list[Outcome]:
        """Check every input, then write those that passed; one outcome per input."""
        ids = [i.object_id for i in inputs if i.object_id is not None]
        stored = repo.objects_for_write(self.conn, self.portal_id, self.object_type, ids)
        outcomes: list[Outcome] = []
        plans: list[_Plan] = []
        for item in inputs:
            outcome = Outcome(item.object_id)
            outcomes.append(outcome)
            row = stored.get(item.object_id) if item.object_id is not None else None
            if item.object_id is not None and (row is None or (row.archived and not item.restore)):
                outcome.failure = not_found(self.object_type, str(item.object_id))
                continue
            current = row.properties if row is not None else {}
            values, errors = check_values(self.registry, item.values, current, self.pipelines)
            if errors:
                outcome.failure = invalid(errors)
                continue
            plans.append(_Plan(item, outcome, row, values))
        self._check_references(plans)
        self._check_unique(plans)
        try:
            self._write([p for p in plans if p.outcome.failure is None])
        except IntegrityError:
            raise Conflict(
                "Another request wrote the same unique value or email at the same time; "
                "retry the request."
            ) from None
        return outcomes

    def archive(self, ids: list[int]) -> set[int]:
        """Archive the objects among ``ids`` that are not archived yet; returns the ids of
        objects that exist (archived now or before)."""
        rows = repo.objects_for_write(self.conn, self.portal_id, self.object_type, ids)
        live = [object_id for object_id, row in rows.items() if not row.archived]
        repo.set_archived(self.conn, self.portal_id, self.object_type, live, True, self.now)
        self.changed[self.object_type].update(live)
        return set(rows)

    def publish(self) -> None:
        """Hand the objects changed to the change feed (once per request)."""
        publish_changes(self.conn, self.portal_id, self.changed, self.now)
        self.changed.clear()

    # --- checks ----------------------------------------------------------------------------

    def _check_references(self, plans: list[_Plan]) -> None:
        """A line item's ``hs_product_id`` and a new object's associations name live objects."""
        wanted: dict[str, set[int]] = defaultdict(set)
        for plan in plans:
            product = plan.values.get("hs_product_id") if self.object_type == "LINE_ITEM" else None
            if product is not None:
                product_id = parse_object_id(str(product))
                if product_id is None:
                    plan.fail(_bad_product(product))
                    continue
                plan.values["hs_product_id"] = str(product_id)
                wanted["PRODUCT"].add(product_id)
            for to_type, to_id in plan.input.associations:
                wanted[to_type].add(to_id)
        live = {
            to_type: repo.live_ids(self.conn, self.portal_id, to_type, ids)
            for to_type, ids in wanted.items()
        }
        for plan in plans:
            if plan.outcome.failure is not None:
                continue
            product = plan.values.get("hs_product_id") if self.object_type == "LINE_ITEM" else None
            if product is not None and int(product) not in live["PRODUCT"]:
                plan.fail(_bad_product(product))
            for to_type, to_id in plan.input.associations:
                if to_id not in live[to_type]:
                    plan.fail(
                        Failure(
                            "VALIDATION_ERROR",
                            f"Invalid association: {SINGULAR[to_type]} {to_id} does not exist.",
                        )
                    )
        self._inherit_from_products([p for p in plans if p.outcome.failure is None])

    def _inherit_from_products(self, plans: list[_Plan]) -> None:
        if self.object_type != "LINE_ITEM":
            return
        new = [p for p in plans if p.stored is None and p.values.get("hs_product_id")]
        ids = {int(p.values["hs_product_id"]) for p in new}
        products = objects_by_id(self.conn, self.portal_id, "PRODUCT", ids) if ids else {}
        names = [n for n in INHERITED_FROM_PRODUCT if n in self.registry.fields]
        for plan in new:
            source = products[int(plan.values["hs_product_id"])].properties or {}
            for name in names:
                if name not in plan.values and source.get(name) is not None:
                    plan.values[name] = source[name]

    def _check_unique(self, plans: list[_Plan]) -> None:
        """Unique values and a contact's email are not held by another object, nor set by an
        earlier input of the batch."""
        claims: list[tuple[_Plan, str, str, Any]] = []  # plan, property, key, value
        for plan in plans:
            if plan.outcome.failure is None:
                claims += self._claims(plan)
        holders: dict[tuple[str, str], int] = {}
        by_property: dict[str, set[str]] = defaultdict(set)
        for _, name, key, _ in claims:
            by_property[name].add(key)
        for name, keys in by_property.items():
            if name == "email" and self.object_type == "CONTACT":
                contacts = contacts_by_email(self.conn, self.portal_id, keys)
                found = {k: row.id for k, row in contacts.items()}
            else:
                found = repo.unique_holders(self.conn, self.portal_id, self.object_type, name, keys)
            holders.update(((name, k), object_id) for k, object_id in found.items())
        taken: set[tuple[str, str]] = set()
        for plan, name, key, value in claims:
            own = plan.stored.id if plan.stored is not None else None
            holder = holders.get((name, key))
            if holder is not None and holder != own:
                plan.fail(self._conflict(name, value, holder))
            elif (name, key) in taken:
                plan.fail(
                    Failure(
                        "CONFLICT",
                        f"{name} {value!r} is set by another input of this request; "
                        "values of a unique property must differ.",
                    )
                )
            elif plan.outcome.failure is None:
                taken.add((name, key))

    def _claims(self, plan: _Plan) -> list[tuple[_Plan, str, str, Any]]:
        """(plan, property, key, value) of the unique values the plan gives its object."""
        current = plan.stored.properties if plan.stored is not None else {}
        claims = []
        for name, value in plan.values.items():
            if value is None:
                continue
            if name == "email" and self.object_type == "CONTACT":
                key, old = str(value).lower(), plan.stored.email_key if plan.stored else None
            elif name in self.registry.unique:
                key = value_key(value)
                old = value_key(current[name]) if current.get(name) is not None else None
            else:
                continue
            if key != old:
                claims.append((plan, name, key, value))
        return claims

    def _conflict(self, name: str, value: Any, holder: int) -> Failure:
        if name == "email":
            return Failure("CONFLICT", f"Contact already exists. Existing ID: {holder}")
        return Failure(
            "CONFLICT",
            f"A {SINGULAR[self.object_type]} with {name} {value!r} already exists (the property "
            f"requires unique values). Existing ID: {holder}",
        )

    # --- writing ---------------------------------------------------------------------------

    def _write(self, plans: list[_Plan]) -> None:
        portal_id, object_type, now = self.portal_id, self.object_type, self.now
        new_ids = iter(allocate_ids(self.conn, "crm_object", sum(p.stored is None for p in plans)))
        inserts: list[tuple[Any, ...]] = []
        updates: list[tuple[Any, ...]] = []
        unique_rows: list[dict[str, Any]] = []
        replaced: list[tuple[int, str]] = []  # (object id, unique property) values replaced
        products: dict[int, int | None] = {}
        pairs: dict[tuple[str, str], list[tuple[int, int]]] = defaultdict(list)
        restored: list[int] = []
        for plan in plans:
            row = plan.stored
            object_id = row.id if row is not None else next(new_ids)
            plan.outcome.object_id, plan.outcome.created = object_id, row is None
            properties, versions, email_key = self._merged(plan, object_id)
            key = (portal_id, object_type, object_id)
            if row is None:
                inserts.append((*key, properties, email_key, versions, now, now, False))
            else:
                updates.append((properties, email_key, versions, now, *key))
                if row.archived:
                    restored.append(object_id)
            unique = sorted(self.registry.unique & plan.values.keys())
            if row is not None:
                replaced += [(object_id, name) for name in unique]
            unique_rows += [
                self._unique_row(name, plan.values[name], object_id)
                for name in unique
                if plan.values[name] is not None
            ]
            if object_type == "LINE_ITEM" and "hs_product_id" in plan.values:
                product = plan.values["hs_product_id"]
                products[object_id] = int(product) if product is not None else None
            for to_type, to_id in plan.input.associations:
                child, parent = stored_pair(object_type, to_type) or (object_type, to_type)
                pair = (object_id, to_id) if child == object_type else (to_id, object_id)
                pairs[(child, parent)].append(pair)
            self.changed[object_type].add(object_id)
        insert_objects(self.conn, sorted(inserts, key=lambda r: r[2]))  # OBJECT_COLUMNS
        update_objects(self.conn, sorted(updates, key=lambda r: r[6]))  # OBJECT_UPDATE_COLUMNS
        repo.set_archived(self.conn, portal_id, object_type, restored, False, now)
        repo.delete_unique_values(self.conn, portal_id, object_type, replaced)
        repo.insert_unique_values(self.conn, unique_rows)
        touched = association_writes.set_products(self.conn, portal_id, products, now)
        self.changed["LINE_ITEM"].update(touched)
        for (child, parent), made in sorted(pairs.items()):
            touched = association_writes.make(self.conn, portal_id, child, parent, made, now)
            self.changed[child].update(touched)

    def _merged(self, plan: _Plan, object_id: int) -> tuple[str | None, str | None, str | None]:
        """The object's properties and versions once the plan's values are set, each stamped
        with the write time (JSON encoded), and its email key."""
        row, now = plan.stored, self.now
        properties = dict(row.properties) if row is not None else {}
        versions = dict(row.versions) if row is not None else {}
        stamps = versions["p"] = dict(versions.get("p") or {})
        for name, value in plan.values.items():
            stamps[name] = now
            if value is None:
                properties.pop(name, None)
            else:
                properties[name] = value
        properties["lastmodifieddate"] = now
        if row is None:
            properties.setdefault("createdate", now)
            properties["hs_object_id"] = object_id
        email_key = row.email_key if row is not None else None
        if self.object_type == "CONTACT" and "email" in plan.values:
            email = plan.values["email"]
            email_key = str(email).lower() if email is not None else None
        return encode_json(properties), encode_json(versions), email_key

    def _unique_row(self, name: str, value: Any, object_id: int) -> dict[str, Any]:
        return {
            "portal_id": self.portal_id,
            "object_type": self.object_type,
            "property": name,
            "value": value_key(value),
            "object_id": object_id,
        }


def _bad_product(value: Any) -> Failure:
    message = f"product {value} does not exist; give the id of an existing product"
    return invalid([PropertyError("hs_product_id", "INVALID_OPTION", message)])
