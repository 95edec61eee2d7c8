"""The property values a CRM write sets, checked against the portal's property registry by the
sync apply's rules (``sync.apply.values``: types, enumeration options, deal stages), and the
errors reported in HubSpot's words (``Property values were not valid: [...]``).

Read-only properties: ``hs_object_id``, the last-modified dates and the provided
``ip__ecomm_bridge__*`` bookkeeping the bridge sets on synced objects (``ecomm_synced``,
``source_app_id``, ``source_store_id``) are refused with ``READ_ONLY_VALUE``; ``createdate``
and the other managed ecommerce properties (order number, abandoned cart URL...) are data and
can be written.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Connection, Row

from ecombridge.crm_schema import repository as schema_repo
from ecombridge.crm_schema.service import list_pipelines
from ecombridge.crm_schema.standard import PROVIDED_PROPERTY_NAMES
from ecombridge.errors import ValidationFailed
from ecombridge.sync.apply.values import (
    VALUES_NOT_VALID,
    Field,
    InvalidValue,
    checked_value,
    is_email,
    property_field,
)

READ_ONLY = frozenset(
    {"hs_object_id", "lastmodifieddate", "hs_lastmodifieddate", *PROVIDED_PROPERTY_NAMES}
)
UNIQUE_VALUE_LENGTH = 255  # longest value a property with unique values may hold
SCALARS = (str, int, float, bool)
# InvalidValue types of the apply -> HubSpot's CRM error codes.
_CODES = {
    "INVALID_ENUM_PROPERTY": "INVALID_OPTION",
    "ERROR_INVALID_DATE_PROPERTY": "INVALID_DATE",
}
_KIND_CODES = {"NUMBER": "INVALID_FLOAT", "BOOL": "INVALID_BOOLEAN", "DATETIME": "INVALID_DATE"}


@dataclass(frozen=True, slots=True)
class PropertyError:
    name: str
    code: str  # PROPERTY_DOESNT_EXIST, READ_ONLY_VALUE, INVALID_OPTION, INVALID_EMAIL, ...
    message: str


def invalid_values(errors: list[PropertyError]) -> tuple[str, list[dict[str, Any]]]:
    """HubSpot's message (its JSON list of invalid properties) and the ``errors`` details."""
    listed = [
        {
            "isValid": False,
            "message": e.message,
            "error": e.code,
            "name": e.name,
            "localizedErrorMessage": e.message,
        }
        for e in errors
    ]
    details = [{"message": e.message, "code": e.code, "in": e.name} for e in errors]
    return VALUES_NOT_VALID + json.dumps(listed, ensure_ascii=False), details


def raise_invalid(errors: list[PropertyError]) -> None:
    if errors:
        message, details = invalid_values(errors)
        raise ValidationFailed(message, errors=details)


@dataclass(frozen=True)
class Pipelines:
    """The portal's deal pipelines: id -> stage ids, and the default (the first)."""

    stages: dict[str, frozenset[str]]
    default: str | None

    @classmethod
    def load(cls, conn: Connection, portal_id: int) -> Pipelines:
        found = list_pipelines(conn, portal_id)
        stages = {str(p.row.id): frozenset(str(s.id) for s in p.stages) for p in found}
        return cls(stages, str(found[0].row.id) if found else None)


class Registry:
    """A portal's properties of one object type, as CRM writes check them."""

    def __init__(self, object_type: str, rows: Iterable[Row[Any]]) -> None:
        self.object_type = object_type
        self.types: dict[str, str] = {}
        self.fields: dict[str, Field] = {}
        unique = set()
        for row in rows:
            options = frozenset(str(o.get("value")) for o in row.options or ())
            self.types[row.name] = row.type
            self.fields[row.name] = property_field(object_type, row.name, (row.type, options))
            if row.has_unique_value:
                unique.add(row.name)
        self.unique = frozenset(unique)

    @classmethod
    def load(cls, conn: Connection, portal_id: int, object_type: str) -> Registry:
        return cls(object_type, schema_repo.list_properties(conn, portal_id, object_type))

    def refused(self, names: Iterable[str]) -> list[PropertyError]:
        """Unknown and read-only properties among ``names``: the request is refused."""
        errors = []
        for name in dict.fromkeys(names):
            if name in READ_ONLY:
                message = f"{name} is a read only property; its value cannot be set."
                errors.append(PropertyError(name, "READ_ONLY_VALUE", message))
            elif name not in self.fields:
                message = f'Property "{name}" does not exist'
                errors.append(PropertyError(name, "PROPERTY_DOESNT_EXIST", message))
        return errors

    def is_key(self, name: str) -> bool:
        """Whether ``name`` identifies objects (``idProperty``): the id, a contact's email or a
        property with unique values."""
        return (
            name == "hs_object_id"
            or (self.object_type == "CONTACT" and name == "email")
            or name in self.unique
        )

    def key_property(self, name: str, where: str = "idProperty") -> str:
        if not self.is_key(name):
            email = "email, " if self.object_type == "CONTACT" else ""
            raise ValidationFailed(
                f"{where}: {name!r} cannot identify objects; use hs_object_id, {email}or a "
                "property created with hasUniqueValue: true."
            )
        return name

    def value(self, name: str, raw: Any) -> Any:
        """A value of ``name`` coerced to its type (for keys given as text); InvalidValue."""
        return checked_value(self.object_type, self.fields[name], raw, frozenset())


def check_values(
    registry: Registry,
    raw: dict[str, Any],
    current: dict[str, Any],
    pipelines: Pipelines | None,
) -> tuple[dict[str, Any], list[PropertyError]]:
    """The values ``raw`` sets, coerced (None clears), or the errors of the invalid ones.
    ``current``: the object's properties (empty for a new object). Names are known and
    writable (``Registry.refused``)."""
    object_type = registry.object_type
    values: dict[str, Any] = {}
    errors: list[PropertyError] = []
    pipeline, stage_ids = "", frozenset[str]()
    if object_type == "DEAL" and pipelines is not None:
        pipeline, stage_ids, pipeline_errors = _deal_pipeline(raw, current, pipelines, values)
        errors += pipeline_errors
    for name, value in raw.items():
        if name in values:
            continue
        if value is None or value == "":
            values[name] = None
            continue
        if not isinstance(value, SCALARS):
            message = f"{name} must be a string, a number or a boolean, not {_kind(value)}."
            errors.append(PropertyError(name, "INVALID_VALUE", message))
            continue
        try:
            coerced = checked_value(object_type, registry.fields[name], value, stage_ids)
        except InvalidValue as invalid:
            f = registry.fields[name]
            errors.append(_error(name, invalid, f, value, pipeline, stage_ids))
            continue
        problem = _other_problem(object_type, registry, name, coerced)
        if problem is not None:
            errors.append(problem)
            continue
        values[name] = coerced
    return values, errors


def _other_problem(
    object_type: str, registry: Registry, name: str, value: Any
) -> PropertyError | None:
    if object_type == "CONTACT" and name == "email" and not is_email(str(value)):
        return PropertyError(name, "INVALID_EMAIL", f"Email address {value} is invalid")
    if name in registry.unique and len(str(value)) > UNIQUE_VALUE_LENGTH:
        message = f"{name} holds unique values, which are at most {UNIQUE_VALUE_LENGTH} characters."
        return PropertyError(name, "INVALID_VALUE", message)
    return None


def _deal_pipeline(
    raw: dict[str, Any], current: dict[str, Any], pipelines: Pipelines, values: dict[str, Any]
) -> tuple[str, frozenset[str], list[PropertyError]]:
    """A deal's pipeline and the stage ids its ``dealstage`` may take: the pipeline ``raw``
    sets, else its own, else the default, which a new deal gets. Sets ``values["pipeline"]``
    when ``raw`` names one; checks the current stage against a changed pipeline."""
    errors = []
    given = raw.get("pipeline")
    pipeline = current.get("pipeline")
    if "pipeline" in raw:
        if given is None or given == "":
            values["pipeline"] = pipeline = None
        elif str(given) in pipelines.stages:
            values["pipeline"] = pipeline = str(given)
        else:
            message = (
                f"{given!r} was not one of the allowed options: "
                f"{', '.join(sorted(pipelines.stages))}"
            )
            errors.append(PropertyError("pipeline", "INVALID_OPTION", message))
    if not pipeline and (not current or raw.get("dealstage")) and pipelines.default is not None:
        values["pipeline"] = pipeline = pipelines.default  # a deal is always in a pipeline
    pipeline = str(pipeline or pipelines.default)
    stage_ids = pipelines.stages.get(pipeline, frozenset())
    stage = current.get("dealstage")
    if "pipeline" in values and "dealstage" not in raw and stage and stage not in stage_ids:
        errors.append(_stage_error(stage, pipeline, stage_ids))
    return pipeline, stage_ids, errors


def _stage_error(stage: Any, pipeline: str, stage_ids: frozenset[str]) -> PropertyError:
    message = (
        f"{stage!r} is not a stage of pipeline {pipeline}; allowed options: "
        f"{', '.join(sorted(stage_ids))}"
    )
    return PropertyError("dealstage", "INVALID_OPTION", message)


def _error(
    name: str,
    invalid: InvalidValue,
    f: Field,
    value: Any,
    pipeline: str,
    stage_ids: frozenset[str],
) -> PropertyError:
    error_type, details = invalid.error
    if error_type == "INVALID_DEAL_STAGE":
        return _stage_error(value, pipeline, stage_ids)
    code = _CODES.get(error_type) or _KIND_CODES.get(f.kind, "INVALID_VALUE")
    return PropertyError(name, code, details.removeprefix(VALUES_NOT_VALID))


def _kind(value: Any) -> str:
    return "an object" if isinstance(value, dict) else "a list"
