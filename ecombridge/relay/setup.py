"""Set-up of a destination's portal, idempotent: what delivery needs to exist there.

Per object type: the ``ecombridge`` property group; ``ecombridge_external_id`` (string, unique
values) that upserts key on; the bridge's ``ip__ecomm_bridge__*`` properties, the properties
the portal's sync settings map and the portal's own custom properties, wherever the target lacks
them (with our type, field type and options). Then the Ecommerce Pipeline, found by its label or
created with the six stages (a missing stage is added); the target's pipeline id and
``{our stage id: its stage id}`` are returned for delivery to translate ``dealstage``, with
the properties the target has (delivery sends only those) and the creations it refused (shown
in status; the external id must be created).

``extend`` re-checks it cheaply later: when a page to deliver holds properties the recorded
set-up does not list, those our portal defines are created before the page is sent.

What the plan needs from our database is read first (``plan``), then the target is called with
no transaction open (``apply``). Anything that already exists (409, or listed) is fine.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ecombridge.crm_schema.pipelines import ecommerce_pipeline_id
from ecombridge.crm_schema.standard import ECOMMERCE_STAGES, MANAGED_PREFIX, PIPELINE_LABEL
from ecombridge.db.tables import crm_properties, pipeline_stages, sync_settings
from ecombridge.relay.client import TargetClient, TargetRefused, TargetUnavailable, error_message
from ecombridge.relay.definitions import CRM_NAMES, EXTERNAL_ID, GROUP, GROUP_LABEL

_MAPPED_TYPES = {
    "STRING": ("string", "text"),
    "NUMBER": ("number", "number"),
    "DATETIME": ("datetime", "date"),
    "AVATAR_IMAGE": ("string", "text"),
}


@dataclass
class Plan:
    # object type -> property definitions (HubSpot's PropertyCreate shape)
    properties: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    # (our stage id, label, displayOrder, probability, isClosed) of the ecommerce pipeline
    stages: list[tuple[str, str, int, float, bool]] = field(default_factory=list)


def _definition(row: Any) -> dict[str, Any]:
    definition: dict[str, Any] = {
        "name": row.name,
        "label": row.label,
        "type": row.type,
        "fieldType": row.field_type,
        "groupName": GROUP,
    }
    if row.type == "enumeration":
        definition["options"] = [
            {
                "label": str(o.get("label", o.get("value"))),
                "value": str(o.get("value")),
                "displayOrder": int(o.get("displayOrder", i)),
                "hidden": bool(o.get("hidden", False)),
            }
            for i, o in enumerate(row.options or [])
        ]
    return definition


def plan(conn: Connection, portal_id: int) -> Plan:
    result = Plan()
    mapped: dict[str, dict[str, str | None]] = {t: {} for t in CRM_NAMES}
    for (mappings,) in conn.execute(
        sa.select(sync_settings.c.mappings).where(sync_settings.c.portal_id == portal_id)
    ):
        for object_type, listed in (mappings or {}).items():
            for m in listed if object_type in mapped else []:
                mapped[object_type][str(m["hubspotPropertyName"])] = m.get("dataType")
    p = crm_properties.c
    rows = conn.execute(
        sa.select(
            p.object_type, p.name, p.label, p.type, p.field_type, p.options, p.hubspot_defined
        )
        .where(p.portal_id == portal_id)
        .order_by(p.object_type, p.name)
    ).all()
    known: dict[str, set[str]] = {t: set() for t in CRM_NAMES}
    for row in rows:
        if row.object_type not in CRM_NAMES:
            continue
        known[row.object_type].add(row.name)
        ours = row.name.startswith(MANAGED_PREFIX) or not row.hubspot_defined
        if ours or row.name in mapped[row.object_type]:
            result.properties.setdefault(row.object_type, []).append(_definition(row))
    for object_type, names in mapped.items():
        for name, data_type in sorted(names.items()):
            if name not in known[object_type]:
                type_, field_type = _MAPPED_TYPES.get(data_type or "STRING", ("string", "text"))
                result.properties.setdefault(object_type, []).append(
                    {
                        "name": name,
                        "label": name,
                        "type": type_,
                        "fieldType": field_type,
                        "groupName": GROUP,
                    }
                )
    for object_type in CRM_NAMES:
        result.properties.setdefault(object_type, []).insert(
            0,
            {
                "name": EXTERNAL_ID,
                "label": "Ecommerce bridge external ID",
                "type": "string",
                "fieldType": "text",
                "groupName": GROUP,
                "hasUniqueValue": True,
                "description": "source:store:externalObjectId of the object in the bridge",
            },
        )
    s = pipeline_stages.c
    stages = conn.execute(
        sa.select(s.id, s.label, s.display_order, s.probability, s.is_closed)
        .where(s.portal_id == portal_id, s.pipeline_id == ecommerce_pipeline_id(portal_id))
        .order_by(s.display_order, s.id)
    ).all()
    result.stages = [
        (str(r.id), str(r.label), int(r.display_order), float(r.probability), bool(r.is_closed))
        for r in stages
    ] or [
        (st.id, st.label, i, st.probability, st.is_closed) for i, st in enumerate(ECOMMERCE_STAGES)
    ]
    return result


def _created(client: TargetClient, path: str, body: dict[str, Any], *, needed: bool) -> str | None:
    """None when created or already there; else the target's message (raised when needed)."""
    response = client.call("POST", path, body)
    if response.status_code in (200, 201, 409):
        return None
    message = f"Set-up failed at POST {path} ({body.get('name')}): {error_message(response)}"
    if needed:
        raise TargetUnavailable(message)
    return message


def apply(client: TargetClient, the_plan: Plan) -> dict[str, Any]:
    """Create what the target lacks; returns the destination's ``target`` record."""
    present: dict[str, list[str]] = {}
    refused: list[str] = []
    for object_type, name in CRM_NAMES.items():
        groups = client.call("GET", f"/crm/v3/properties/{name}/groups")
        if groups.status_code != 200 or all(
            g.get("name") != GROUP for g in groups.json().get("results", [])
        ):
            _created(
                client,
                f"/crm/v3/properties/{name}/groups",
                {"name": GROUP, "label": GROUP_LABEL, "displayOrder": -1},
                needed=True,
            )
        listed = client.call("GET", f"/crm/v3/properties/{name}")
        have = (
            {str(p["name"]) for p in listed.json().get("results", [])}
            if listed.status_code == 200
            else set()
        )
        for definition in the_plan.properties.get(object_type, []):
            if definition["name"] in have:
                continue
            needed = definition["name"] == EXTERNAL_ID
            problem = _created(client, f"/crm/v3/properties/{name}", definition, needed=needed)
            if problem is None:
                have.add(definition["name"])
            else:
                refused.append(problem)
        present[object_type] = sorted(have)
    pipeline_id, stages = _pipeline(client, the_plan)
    return {
        "timeZone": _time_zone(client),
        "pipelineId": pipeline_id,
        "stages": stages,
        "properties": present,
        "refusedProperties": refused,
    }


def _time_zone(client: TargetClient) -> str | None:
    """The portal's time zone (its daily API allowance restarts at its midnight), when the
    target tells it."""
    try:
        answer = client.call("GET", "/account-info/v3/details")
        body = answer.json() if answer.status_code == 200 else None
    except (TargetRefused, ValueError):  # a token without that scope: UTC is assumed
        return None
    zone = body.get("timeZone") if isinstance(body, dict) else None
    return zone if isinstance(zone, str) and zone else None


def _stage_body(label: str, order: int, probability: float, closed: bool) -> dict[str, Any]:
    return {
        "label": label,
        "displayOrder": order,
        "metadata": {"probability": str(probability), "isClosed": "true" if closed else "false"},
    }


def _pipeline(client: TargetClient, the_plan: Plan) -> tuple[str, dict[str, str]]:
    listed = client.call("GET", "/crm/v3/pipelines/deals")
    if listed.status_code != 200:
        raise TargetUnavailable(f"Set-up could not read pipelines: {error_message(listed)}")
    found = next(
        (p for p in listed.json().get("results", []) if p.get("label") == PIPELINE_LABEL), None
    )
    if found is None:
        body = {
            "label": PIPELINE_LABEL,
            "displayOrder": 0,
            "stages": [_stage_body(lb, o, p, c) for _, lb, o, p, c in the_plan.stages],
        }
        created = client.call("POST", "/crm/v3/pipelines/deals", body)
        if created.status_code not in (200, 201):
            raise TargetUnavailable(
                f"Set-up could not create the pipeline: {error_message(created)}"
            )
        found = created.json()
    pipeline_id = str(found["id"])
    by_label = {str(s["label"]).lower(): str(s["id"]) for s in found.get("stages", [])}
    defaults = {st.id: st.label for st in ECOMMERCE_STAGES}
    translated: dict[str, str] = {}
    for stage_id, label, order, probability, closed in the_plan.stages:
        theirs = by_label.get(label.lower()) or by_label.get(defaults.get(stage_id, "").lower())
        if theirs is None:
            made = client.call(
                "POST",
                f"/crm/v3/pipelines/deals/{pipeline_id}/stages",
                _stage_body(label, order, probability, closed),
            )
            if made.status_code not in (200, 201):
                raise TargetUnavailable(f"Set-up could not add a stage: {error_message(made)}")
            theirs = str(made.json()["id"])
        translated[stage_id] = theirs
    return pipeline_id, translated


def extend(
    client: TargetClient, the_plan: Plan, object_type: str, names: set[str], target: dict[str, Any]
) -> dict[str, Any]:
    """Create in the target the properties ``names`` of ``object_type`` that our portal defines
    and the recorded set-up lacks (created in our portal after it); returns the ``target``
    record with them listed as present, or as unavailable (not ours to create, or refused) so
    later pages do not ask again."""
    definitions = {d["name"]: d for d in the_plan.properties.get(object_type, [])}
    present = set(target.get("properties", {}).get(object_type, []))
    unavailable = set(target.get("unavailable", {}).get(object_type, []))
    refused = list(target.get("refusedProperties", []))
    path = f"/crm/v3/properties/{CRM_NAMES[object_type]}"
    for name in sorted(names):
        definition = definitions.get(name)
        problem = "" if definition is None else _created(client, path, definition, needed=False)
        if problem is None:
            present.add(name)
        else:
            unavailable.add(name)
            if problem:
                refused.append(problem)
    return {
        **target,
        "properties": {**target.get("properties", {}), object_type: sorted(present)},
        "unavailable": {**target.get("unavailable", {}), object_type: sorted(unavailable)},
        "refusedProperties": refused,
    }
