"""CRM v4 association writes and batch reads, as HubSpot's v4 API takes them.

The bridge models deals<->contacts, line_items<->deals and line_items<->products (either
direction; other pairs are a 400 naming these). Every pair has one HUBSPOT_DEFINED type per
direction (``catalog.ASSOCIATION_TYPE_IDS``) and no labels: a labelled write must name that type.
Objects must exist and not be archived; in a batch, inputs naming missing objects are listed in
``errors`` (207; ``batch/associate/default`` lists them in its 200 answer, as HubSpot's model
has it). The rules of the pairs themselves are ``association_writes``'.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy.engine import Connection

from ecombridge.clock import now_ms
from ecombridge.crm import association_writes, catalog, inputs
from ecombridge.crm import repository as read_repo
from ecombridge.crm import write_repository as repo
from ecombridge.crm.ids import parse_object_id
from ecombridge.crm.service import V4_LIMIT, parse_after
from ecombridge.crm.wire import batch_answer, not_found_error, standard_error
from ecombridge.crm.writes import not_found, publish_changes
from ecombridge.crm_schema.object_types import SINGULAR
from ecombridge.errors import ValidationFailed

Answer = tuple[int, dict[str, Any]]
CATEGORY = "HUBSPOT_DEFINED"
_PAIR_SHAPE = '{"from": {"id"}, "to": {"id"}}'


class Pair:
    """The two types of a v4 path and how their associations are stored."""

    def __init__(self, from_name: str, to_name: str) -> None:
        self.from_type, self.to_type = catalog.association_pair(from_name, to_name)
        pair = catalog.stored_pair(self.from_type, self.to_type)
        assert pair is not None  # association_pair refuses the others
        self.child, self.parent = pair
        self.type_id = catalog.ASSOCIATION_TYPE_IDS[(self.from_type, self.to_type)]

    def stored(self, from_id: int, to_id: int) -> tuple[int, int]:
        """(child id, parent id) of the pair from -> to."""
        return (from_id, to_id) if self.child == self.from_type else (to_id, from_id)

    def spec(self) -> dict[str, Any]:
        return {"associationCategory": CATEGORY, "associationTypeId": self.type_id}

    def labels(self, from_id: int, to_id: int) -> dict[str, Any]:
        """HubSpot's LabelsBetweenObjectPair (the bridge's types have no labels)."""
        return {
            "fromObjectTypeId": catalog.OBJECT_TYPE_IDS[self.from_type],
            "fromObjectId": from_id,
            "toObjectTypeId": catalog.OBJECT_TYPE_IDS[self.to_type],
            "toObjectId": to_id,
            "labels": [],
        }

    def default(self, from_id: int, to_id: int) -> dict[str, Any]:
        """HubSpot's PublicDefaultAssociation."""
        ends = {"from": {"id": str(from_id)}, "to": {"id": str(to_id)}}
        return {**ends, "associationSpec": self.spec()}

    def check_types(self, raw: Any, where: str) -> None:
        """The association types of a labelled write: this pair's type, HUBSPOT_DEFINED."""
        if not isinstance(raw, list) or not raw:
            raise ValidationFailed(
                f"{where}: must be a list of {{associationCategory, associationTypeId}}."
            )
        for i, spec in enumerate(raw):
            at = f"{where}[{i}]"
            if not isinstance(spec, dict):
                raise ValidationFailed(f"{at}: must be {{associationCategory, associationTypeId}}.")
            type_id, category = spec.get("associationTypeId"), spec.get("associationCategory")
            if type_id != self.type_id or isinstance(type_id, bool) or category != CATEGORY:
                raise ValidationFailed(
                    f"{at}: {category} {type_id!r} is not a type of "
                    f"{SINGULAR[self.from_type]} -> {SINGULAR[self.to_type]} associations; use "
                    f"{{associationCategory: {CATEGORY}, associationTypeId: {self.type_id}}}."
                )


def _id(raw: Any, where: str) -> int | None:
    """An object id as sent (None when it cannot name an object)."""
    return parse_object_id(inputs.id_of(raw, where))


def _require(conn: Connection, portal_id: int, object_type: str, raw: str) -> int:
    object_id = parse_object_id(raw)
    if object_id is None or not repo.live_ids(conn, portal_id, object_type, [object_id]):
        raise not_found(object_type, raw).exception()
    return object_id


def _write(
    conn: Connection,
    portal_id: int,
    pair: Pair,
    made: Sequence[tuple[int, int]],
    removed: Sequence[tuple[int, int]] = (),
) -> None:
    """Make and remove (from id, to id) pairs, publish the children written."""
    now = now_ms()
    make = [pair.stored(f, t) for f, t in made]
    gone = [pair.stored(f, t) for f, t in removed]
    touched = association_writes.make(conn, portal_id, pair.child, pair.parent, make, now)
    touched |= association_writes.remove(conn, portal_id, pair.child, pair.parent, gone, now)
    publish_changes(conn, portal_id, {pair.child: touched}, now)


# --- one pair ----------------------------------------------------------------------------------


def put_labelled(
    conn: Connection,
    portal_id: int,
    from_name: str,
    from_raw: str,
    to_name: str,
    to_raw: str,
    body: Any,
) -> dict[str, Any]:
    """PUT .../associations/{to}/{toId} with [{associationCategory, associationTypeId}]:
    LabelsBetweenObjectPair (201)."""
    pair = Pair(from_name, to_name)
    pair.check_types(body, "body")
    from_id = _require(conn, portal_id, pair.from_type, from_raw)
    to_id = _require(conn, portal_id, pair.to_type, to_raw)
    _write(conn, portal_id, pair, [(from_id, to_id)])
    return pair.labels(from_id, to_id)


def put_default(
    conn: Connection, portal_id: int, from_name: str, from_raw: str, to_name: str, to_raw: str
) -> dict[str, Any]:
    """PUT .../associations/default/{to}/{toId}: BatchResponsePublicDefaultAssociation."""
    started = now_ms()
    pair = Pair(from_name, to_name)
    from_id = _require(conn, portal_id, pair.from_type, from_raw)
    to_id = _require(conn, portal_id, pair.to_type, to_raw)
    _write(conn, portal_id, pair, [(from_id, to_id)])
    return batch_answer(200, started, [pair.default(from_id, to_id)], [])[1]


def delete(
    conn: Connection, portal_id: int, from_name: str, from_raw: str, to_name: str, to_raw: str
) -> None:
    """DELETE .../associations/{to}/{toId}: 204, also when the pair was not associated."""
    pair = Pair(from_name, to_name)
    from_id = _require(conn, portal_id, pair.from_type, from_raw)
    to_id = _require(conn, portal_id, pair.to_type, to_raw)
    _write(conn, portal_id, pair, [], [(from_id, to_id)])


# --- batches -----------------------------------------------------------------------------------


def _ends(item: dict[str, Any], where: str, side: str) -> Any:
    end = item.get(side)
    if not isinstance(end, dict):
        raise ValidationFailed(f"{where}.{side}: must be an object {{id}}.")
    return end.get("id")


def _existing_pairs(
    conn: Connection, portal_id: int, pair: Pair, items: list[dict[str, Any]]
) -> tuple[list[tuple[int, int]], list[dict[str, Any]]]:
    """The (from id, to id) of inputs whose objects exist, and the errors of the others."""
    sent = []
    for i, item in enumerate(items):
        from_id = _id(_ends(item, f"inputs[{i}]", "from"), f"inputs[{i}].from.id")
        to_id = _id(_ends(item, f"inputs[{i}]", "to"), f"inputs[{i}].to.id")
        sent.append((item["from"]["id"], from_id, item["to"]["id"], to_id))
    from_ids = [s[1] for s in sent if s[1] is not None]
    to_ids = [s[3] for s in sent if s[3] is not None]
    live = {
        pair.from_type: repo.live_ids(conn, portal_id, pair.from_type, from_ids),
        pair.to_type: repo.live_ids(conn, portal_id, pair.to_type, to_ids),
    }
    missing: dict[str, list[str]] = defaultdict(list)
    found = []
    for from_raw, from_id, to_raw, to_id in sent:
        ok = True
        for object_type, raw, object_id in (
            (pair.from_type, from_raw, from_id),
            (pair.to_type, to_raw, to_id),
        ):
            if object_id is None or object_id not in live[object_type]:
                missing[object_type].append(str(raw))
                ok = False
        if ok and from_id is not None and to_id is not None:
            found.append((from_id, to_id))
    errors = [not_found_error(t, list(dict.fromkeys(ids))) for t, ids in missing.items()]
    return found, errors


def batch_create(
    conn: Connection, portal_id: int, from_name: str, to_name: str, body: Any
) -> Answer:
    """201 BatchResponseLabelsBetweenObjectPair, or 207 when some objects do not exist."""
    started = now_ms()
    pair = Pair(from_name, to_name)
    shape = '{"from": {"id"}, "to": {"id"}, "types": [...]}'
    items = inputs.inputs_of(body, shape, inputs.MAX_ASSOCIATION_INPUTS)
    for i, item in enumerate(items):
        pair.check_types(item.get("types"), f"inputs[{i}].types")
    found, errors = _existing_pairs(conn, portal_id, pair, items)
    _write(conn, portal_id, pair, found)
    results = [pair.labels(f, t) for f, t in dict.fromkeys(found)]
    return batch_answer(201, started, results, errors)


def batch_default(
    conn: Connection, portal_id: int, from_name: str, to_name: str, body: Any
) -> dict[str, Any]:
    """200 BatchResponsePublicDefaultAssociation; inputs naming missing objects are listed in
    its ``errors``."""
    started = now_ms()
    pair = Pair(from_name, to_name)
    items = inputs.inputs_of(body, _PAIR_SHAPE, inputs.MAX_ASSOCIATION_INPUTS)
    found, errors = _existing_pairs(conn, portal_id, pair, items)
    _write(conn, portal_id, pair, found)
    results = [pair.default(f, t) for f, t in dict.fromkeys(found)]
    return batch_answer(200, started, results, errors)[1]


def batch_archive(
    conn: Connection, portal_id: int, from_name: str, to_name: str, body: Any
) -> None:
    """204: the pairs named are no longer associated (ids naming nothing are ignored)."""
    pair = Pair(from_name, to_name)
    shape = '{"from": {"id"}, "to": [{"id"}]}'
    items = inputs.inputs_of(body, shape, inputs.MAX_ASSOCIATION_INPUTS)
    removed = []
    for i, item in enumerate(items):
        from_id = _id(_ends(item, f"inputs[{i}]", "from"), f"inputs[{i}].from.id")
        targets = item.get("to")
        if not isinstance(targets, list):
            raise ValidationFailed(f"inputs[{i}].to: must be a list of {{id}}.")
        for j, target in enumerate(targets):
            if not isinstance(target, dict):
                raise ValidationFailed(f"inputs[{i}].to[{j}]: must be an object {{id}}.")
            to_id = _id(target.get("id"), f"inputs[{i}].to[{j}].id")
            if from_id is not None and to_id is not None:
                removed.append((from_id, to_id))
    _write(conn, portal_id, pair, [], removed)


def batch_read(conn: Connection, portal_id: int, from_name: str, to_name: str, body: Any) -> Answer:
    """200 BatchResponsePublicAssociationMultiWithLabel, or 207: an object with none of these
    associations is listed in ``errors`` (NO_ASSOCIATIONS_FOUND, as HubSpot answers), ids naming
    no object are listed together (OBJECT_NOT_FOUND). At most 500 associations per object;
    ``paging.next.after`` continues (send it back as the input's ``after``)."""
    started = now_ms()
    pair = Pair(from_name, to_name)
    items = inputs.inputs_of(body, '{"id", "after"?}', inputs.MAX_ASSOCIATION_INPUTS)
    asked: dict[int, int | None] = {}
    unknown: list[str] = []
    for i, item in enumerate(items):
        raw = inputs.id_of(item.get("id"), f"inputs[{i}].id")
        after = parse_after(inputs.optional_text(item.get("after"), f"inputs[{i}].after"))
        object_id = parse_object_id(raw)
        if object_id is None:
            unknown.append(raw)
        else:
            asked.setdefault(object_id, after)
    live = repo.live_ids(conn, portal_id, pair.from_type, asked)
    unknown += [str(object_id) for object_id in asked if object_id not in live]
    targets = _targets(conn, portal_id, pair, {k: v for k, v in asked.items() if k in live})
    results, errors = [], []
    for object_id in (o for o in asked if o in live):
        found = targets.get(object_id, [])
        if not found:
            errors.append(_none_associated(pair, object_id))
            continue
        result: dict[str, Any] = {"from": {"id": str(object_id)}, "to": found[: V4_LIMIT[1]]}
        if len(found) > V4_LIMIT[1]:
            result["paging"] = {"next": {"after": str(found[V4_LIMIT[1] - 1]["toObjectId"])}}
        results.append(result)
    if unknown:
        errors.append(not_found_error(pair.from_type, unknown))
    return batch_answer(200, started, results, errors)


def _targets(
    conn: Connection, portal_id: int, pair: Pair, asked: dict[int, int | None]
) -> dict[int, list[dict[str, Any]]]:
    """from id -> its associated objects (HubSpot's MultiAssociatedObjectWithLabel), in id
    order after the input's ``after``, one more than a page holds when there are more."""
    spec = [{"category": CATEGORY, "typeId": pair.type_id, "label": None}]
    found: dict[int, list[dict[str, Any]]] = defaultdict(list)
    plain = [object_id for object_id, after in asked.items() if after is None]
    rows = read_repo.associated_ids(conn, portal_id, pair.from_type, plain, pair.to_type)
    for object_id, after in asked.items():
        if after is not None:
            rows += read_repo.associated_ids(
                conn, portal_id, pair.from_type, [object_id], pair.to_type, after, V4_LIMIT[1] + 1
            )
    for source, target in rows:
        if len(found[source]) <= V4_LIMIT[1]:
            found[source].append({"toObjectId": target, "associationTypes": spec})
    return found


def _none_associated(pair: Pair, object_id: int) -> dict[str, Any]:
    return standard_error(
        "OBJECT_NOT_FOUND",
        f"No {SINGULAR[pair.to_type]} is associated with {SINGULAR[pair.from_type]} {object_id}.",
        {
            "fromObjectId": [str(object_id)],
            "fromObjectType": [SINGULAR[pair.from_type]],
            "toObjectType": [SINGULAR[pair.to_type]],
        },
        sub_category="crm.associations.NO_ASSOCIATIONS_FOUND",
    )
