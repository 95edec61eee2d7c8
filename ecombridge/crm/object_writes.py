"""CRM v3 object writes as HubSpot's API takes them: create, update and archive one object, and
the batch endpoints (read, create, update, upsert, archive).

Refused as a whole (400): a body that is not what the endpoint takes, more than 100 inputs, an
unknown or read-only property, an ``idProperty`` that cannot identify objects, the same id twice.
Anything else is decided per input: a batch answers 207 with ``errors`` for the inputs that
failed (invalid values, a unique value or email another object holds, an object that does not
exist) and writes the others; a single-object write answers the error (400, 409, 404).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.engine import Connection

from ecombridge.clock import now_ms
from ecombridge.crm import catalog, inputs, unique_values
from ecombridge.crm import repository as read_repo
from ecombridge.crm.ids import parse_object_id
from ecombridge.crm.property_checks import Registry, raise_invalid
from ecombridge.crm.service import ReadParams, parse_archived, render
from ecombridge.crm.wire import batch_answer, crm_object, not_found_error, standard_error
from ecombridge.crm.writes import Failure, Input, Outcome, Writer, not_found
from ecombridge.crm_schema.object_types import PLURAL
from ecombridge.errors import ValidationFailed

Answer = tuple[int, dict[str, Any]]  # status code, body
_CREATE_SHAPE = '{"properties": {...}, "associations"?: [...]}'


def _registry(conn: Connection, portal_id: int, type_name: str) -> Registry:
    return Registry.load(conn, portal_id, catalog.object_type(type_name))


def _refuse_names(registry: Registry, names: list[str]) -> None:
    raise_invalid(registry.refused(names))


def _render(
    conn: Connection,
    portal_id: int,
    registry: Registry,
    outcomes: list[Outcome],
    names: list[list[str]],
) -> list[dict[str, Any] | None]:
    """The objects written, as HubSpot answers a write (the properties set, and the system
    ones); None for inputs that failed."""
    ids = [o.object_id for o in outcomes if o.failure is None and o.object_id is not None]
    rows = read_repo.objects_by_ids(conn, portal_id, registry.object_type, ids)
    rendered: list[dict[str, Any] | None] = []
    for outcome, shown in zip(outcomes, names, strict=True):
        if outcome.failure is not None or outcome.object_id is None:
            rendered.append(None)
            continue
        rendered.append(crm_object(rows[outcome.object_id], shown, registry.types))
    return rendered


def _single(
    conn: Connection, portal_id: int, registry: Registry, item: Input, names: list[str]
) -> dict[str, Any]:
    writer = Writer(conn, portal_id, registry)
    (outcome,) = writer.write([item])
    if outcome.failure is not None:
        raise outcome.failure.exception()
    writer.publish()
    (body,) = _render(conn, portal_id, registry, [outcome], [names])
    assert body is not None
    return body


def create(conn: Connection, portal_id: int, type_name: str, body: Any) -> dict[str, Any]:
    """POST /crm/v3/objects/{type}: the new object (201)."""
    registry = _registry(conn, portal_id, type_name)
    item = _create_input(registry, inputs.body_object(body, _CREATE_SHAPE), "body")
    return _single(conn, portal_id, registry, item, list(item.values))


def update(
    conn: Connection,
    portal_id: int,
    type_name: str,
    object_id: str,
    id_property: str | None,
    body: Any,
) -> dict[str, Any]:
    """PATCH /crm/v3/objects/{type}/{id}[?idProperty=]: the object updated."""
    registry = _registry(conn, portal_id, type_name)
    values = inputs.properties_of(inputs.body_object(body, '{"properties": {...}}'), "body")
    _refuse_names(registry, list(values))
    found = _find(conn, portal_id, registry, id_property, [object_id])
    if object_id not in found:
        raise not_found(registry.object_type, object_id).exception()
    return _single(conn, portal_id, registry, Input(values, found[object_id]), list(values))


def archive(
    conn: Connection, portal_id: int, type_name: str, object_id: str, id_property: str | None
) -> None:
    """DELETE /crm/v3/objects/{type}/{id}[?idProperty=]: 204; archiving twice is no error."""
    registry = _registry(conn, portal_id, type_name)
    found = _find(conn, portal_id, registry, id_property, [object_id])
    writer = Writer(conn, portal_id, registry)
    if object_id not in found or not writer.archive([found[object_id]]):
        raise not_found(registry.object_type, object_id).exception()
    writer.publish()


def _find(
    conn: Connection,
    portal_id: int,
    registry: Registry,
    id_property: str | None,
    raw_ids: list[str],
) -> dict[str, int]:
    name = registry.key_property(id_property or "hs_object_id")
    return unique_values.find(conn, portal_id, registry, name, raw_ids)


def _create_input(registry: Registry, item: dict[str, Any], where: str) -> Input:
    values = inputs.properties_of(item, where, required=False)
    _refuse_names(registry, list(values))
    associations = _inline_associations(registry.object_type, item.get("associations"), where)
    return Input(values, associations=associations)


def _inline_associations(object_type: str, raw: Any, where: str) -> list[tuple[str, int]]:
    """``associations`` of a new object: [{"to": {"id"}, "types": [{associationCategory,
    associationTypeId}]}]; each type id names the pair (3: deal -> contact...)."""
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise ValidationFailed(f"{where}.associations: must be a list of {{to, types}}.")
    by_type_id = {
        type_id: to_type
        for (from_type, to_type), type_id in catalog.ASSOCIATION_TYPE_IDS.items()
        if from_type == object_type
    }
    found = []
    for i, entry in enumerate(raw):
        at = f"{where}.associations[{i}]"
        to = entry.get("to") if isinstance(entry, dict) else None
        types = entry.get("types") if isinstance(entry, dict) else None
        if not isinstance(to, dict) or not isinstance(types, list) or not types:
            raise ValidationFailed(f"{at}: must be {{to: {{id}}, types: [...]}}.")
        target = _object_id(to.get("id"), f"{at}.to.id")
        for j, spec in enumerate(types):
            type_id = spec.get("associationTypeId") if isinstance(spec, dict) else None
            if type_id not in by_type_id or isinstance(type_id, bool):
                allowed = ", ".join(f"{t} ({PLURAL[k]})" for t, k in by_type_id.items())
                raise ValidationFailed(
                    f"{at}.types[{j}].associationTypeId: {type_id!r} is not an association type "
                    f"of {PLURAL[object_type]}; use {allowed}."
                )
            found.append((by_type_id[type_id], target))
    return found


def _object_id(raw: Any, where: str) -> int:
    parsed = parse_object_id(inputs.id_of(raw, where))
    if parsed is None:
        raise ValidationFailed(f"{where}: {raw!r} is not an object id.")
    return parsed


# --- batches -----------------------------------------------------------------------------------


def _errors(object_type: str, failures: list[tuple[Failure, dict[str, list[str]]]]) -> list[Any]:
    """StandardErrors of the failed inputs: one per input, those of objects not found together
    (HubSpot lists their ids in one error)."""
    missing = [i for f, ctx in failures if f.category == "OBJECT_NOT_FOUND" for i in ctx["ids"]]
    errors = [
        standard_error(f.category, f.message, ctx, f.errors)
        for f, ctx in failures
        if f.category != "OBJECT_NOT_FOUND"
    ]
    if missing:
        errors.append(not_found_error(object_type, missing))
    return errors


def _answer(
    conn: Connection,
    portal_id: int,
    registry: Registry,
    started: int,
    ok_status: int,
    outcomes: list[Outcome],
    names: list[list[str]],
    contexts: list[dict[str, list[str]]],
    extras: list[dict[str, Any]] | None = None,
) -> Answer:
    """The batch answer: the objects written (each with its ``extras``), the failures."""
    results = []
    failures = []
    rendered = _render(conn, portal_id, registry, outcomes, names)
    for i, (outcome, body) in enumerate(zip(outcomes, rendered, strict=True)):
        if outcome.failure is not None:
            failures.append((outcome.failure, contexts[i]))
        elif body is not None:
            results.append({**body, **(extras[i] if extras else {})})
    return batch_answer(ok_status, started, results, _errors(registry.object_type, failures))


def _trace(item: dict[str, Any], where: str) -> dict[str, Any]:
    trace = inputs.optional_text(item.get("objectWriteTraceId"), f"{where}.objectWriteTraceId")
    return {} if trace is None else {"objectWriteTraceId": trace}


def batch_create(conn: Connection, portal_id: int, type_name: str, body: Any) -> Answer:
    """201 BatchResponseSimplePublicObject, or 207 with the inputs that failed."""
    started = now_ms()
    registry = _registry(conn, portal_id, type_name)
    items = inputs.inputs_of(body, _CREATE_SHAPE)
    written = [_create_input(registry, item, f"inputs[{i}]") for i, item in enumerate(items)]
    traces = [_trace(item, f"inputs[{i}]") for i, item in enumerate(items)]
    contexts = [
        {k: [v] for k, v in trace.items()} or {"inputIndex": [str(i)]}
        for i, trace in enumerate(traces)
    ]
    writer = Writer(conn, portal_id, registry)
    outcomes = writer.write(written)
    writer.publish()
    names = [list(w.values) for w in written]
    return _answer(conn, portal_id, registry, started, 201, outcomes, names, contexts, traces)


def batch_update(conn: Connection, portal_id: int, type_name: str, body: Any) -> Answer:
    """200 BatchResponseSimplePublicObject, or 207 (objects not found, invalid values...)."""
    started = now_ms()
    registry = _registry(conn, portal_id, type_name)
    items = inputs.inputs_of(body, '{"id", "idProperty"?, "properties": {...}}')
    keyed = _keyed(registry, items, default="hs_object_id")
    found = _find_keyed(conn, portal_id, registry, keyed)
    outcomes: list[Outcome] = []
    pending: list[tuple[Outcome, Input]] = []
    for raw_id, id_property, values in keyed:
        object_id = found[id_property].get(raw_id)
        outcome = Outcome(object_id)
        if object_id is None:
            outcome.failure = not_found(registry.object_type, raw_id)
        else:
            pending.append((outcome, Input(values, object_id)))
        outcomes.append(outcome)
    _write_into(conn, portal_id, registry, pending)
    contexts = [{"ids": [raw_id]} for raw_id, _, _ in keyed]
    names = [list(values) for _, _, values in keyed]
    return _answer(conn, portal_id, registry, started, 200, outcomes, names, contexts)


def batch_upsert(
    conn: Connection, portal_id: int, type_name: str, body: Any, id_property: str | None
) -> Answer:
    """200 BatchResponseSimplePublicUpsertObject (``new`` per object), or 207. Each input
    names its object by ``idProperty`` (the input's, else the query's): a contact's email or a
    property with unique values. An object found is updated (and restored when archived), else
    created with that value."""
    started = now_ms()
    registry = _registry(conn, portal_id, type_name)
    items = inputs.inputs_of(body, '{"id", "idProperty", "properties": {...}}')
    keyed = _keyed(registry, items, default=id_property)
    for i, (_, name, _) in enumerate(keyed):
        if name == "hs_object_id":
            raise ValidationFailed(
                f"inputs[{i}].idProperty: an upsert names objects by a property with unique "
                "values (or email for contacts), not hs_object_id; use batch/update."
            )
    found = _find_keyed(conn, portal_id, registry, keyed)
    pending = []
    for raw_id, name, values in keyed:
        object_id = found[name].get(raw_id)
        if object_id is None:
            values = {**values, name: raw_id}
        pending.append((Outcome(object_id), Input(values, object_id, restore=True)))
    _write_into(conn, portal_id, registry, pending)
    contexts = [{"ids": [raw_id]} for raw_id, _, _ in keyed]
    names = [list(item.values) for _, item in pending]
    outcomes = [outcome for outcome, _ in pending]
    extras = [{"new": outcome.created} for outcome in outcomes]
    return _answer(conn, portal_id, registry, started, 200, outcomes, names, contexts, extras)


def batch_archive(conn: Connection, portal_id: int, type_name: str, body: Any) -> None:
    """204 whatever the ids: those naming no object are ignored, as HubSpot does."""
    registry = _registry(conn, portal_id, type_name)
    items = inputs.inputs_of(body, '{"id"}')
    raw_ids = [inputs.id_of(item.get("id"), f"inputs[{i}].id") for i, item in enumerate(items)]
    found = unique_values.find(conn, portal_id, registry, "hs_object_id", raw_ids)
    writer = Writer(conn, portal_id, registry)
    writer.archive(sorted(set(found.values())))
    writer.publish()


def batch_read(
    conn: Connection, portal_id: int, type_name: str, body: Any, archived: str | None
) -> Answer:
    """200 BatchResponseSimplePublicObject in the order asked, or 207 naming the ids that
    match no object. ``propertiesWithHistory`` is accepted and answered without history."""
    started = now_ms()
    registry = _registry(conn, portal_id, type_name)
    items = inputs.inputs_of(body, '{"id"}')
    request = inputs.body_object(body, "")
    properties = inputs.names_of(request.get("properties"), "properties")
    inputs.names_of(request.get("propertiesWithHistory"), "propertiesWithHistory")
    id_property = inputs.optional_text(request.get("idProperty"), "idProperty")
    ids = (inputs.id_of(item.get("id"), f"inputs[{i}].id") for i, item in enumerate(items))
    raw_ids = list(dict.fromkeys(ids))
    found = _find(conn, portal_id, registry, id_property, raw_ids)
    rows = read_repo.objects_by_ids(
        conn, portal_id, registry.object_type, list(found.values()), parse_archived(archived)
    )
    shown = [rows[found[raw]] for raw in raw_ids if raw in found and found[raw] in rows]
    missing = [raw for raw in raw_ids if raw not in found or found[raw] not in rows]
    results = render(conn, portal_id, registry.object_type, shown, ReadParams(properties, []))
    errors = [not_found_error(registry.object_type, missing)] if missing else []
    return batch_answer(200, started, results, errors)


def _keyed(
    registry: Registry, items: list[dict[str, Any]], default: str | None
) -> list[tuple[str, str, dict[str, Any]]]:
    """(id, idProperty, properties) of each input; the same object twice is refused."""
    keyed = []
    for i, item in enumerate(items):
        where = f"inputs[{i}]"
        raw_id = inputs.id_of(item.get("id"), f"{where}.id")
        name = inputs.optional_text(item.get("idProperty"), f"{where}.idProperty") or default
        if name is None:
            raise ValidationFailed(
                f"{where}.idProperty: is required: the property the id is a value of."
            )
        registry.key_property(name, f"{where}.idProperty")
        keyed.append((raw_id, name, inputs.properties_of(item, where)))
    _refuse_names(registry, [n for _, _, values in keyed for n in values])
    repeated = inputs.duplicates([(name, raw.lower()) for raw, name, _ in keyed])
    if repeated:
        listed = ", ".join(raw for _, raw in repeated)
        raise ValidationFailed(f"inputs: Duplicate IDs found in batch input: [{listed}].")
    return keyed


def _find_keyed(
    conn: Connection, portal_id: int, registry: Registry, keyed: list[tuple[str, str, Any]]
) -> dict[str, dict[str, int]]:
    """idProperty -> raw id -> object id; two inputs naming one object are refused."""
    by_property: dict[str, list[str]] = {}
    for raw_id, name, _ in keyed:
        by_property.setdefault(name, []).append(raw_id)
    found = {
        name: unique_values.find(conn, portal_id, registry, name, raw_ids)
        for name, raw_ids in by_property.items()
    }
    ids = [found[name].get(raw_id) for raw_id, name, _ in keyed]
    repeated = inputs.duplicates([object_id for object_id in ids if object_id is not None])
    if repeated:
        listed = ", ".join(map(str, repeated))
        raise ValidationFailed(f"inputs: several inputs name the same objects: [{listed}].")
    return found


def _write_into(
    conn: Connection, portal_id: int, registry: Registry, pending: list[tuple[Outcome, Input]]
) -> None:
    """Write the inputs and copy their outcomes into the outcomes the answer lists."""
    writer = Writer(conn, portal_id, registry)
    for (outcome, _), result in zip(pending, writer.write([i for _, i in pending]), strict=True):
        outcome.object_id, outcome.created, outcome.failure = (
            result.object_id,
            result.created,
            result.failure,
        )
    writer.publish()
