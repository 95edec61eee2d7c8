"""Rules of deal pipelines and their stages. Takes a connection, never commits.

Every portal has the "Ecommerce Pipeline" (a UUID of its own) whose six stage ids are the values
the Ecommerce Bridge's ``dealstage`` takes: they stay fixed and cannot be deleted, and the
pipeline cannot be deleted; labels, display orders and probabilities may change (integrations
relabel the stages during set-up). Other pipelines are the portal's own, with stages of their
own. Stage ids are unique across the portal's pipelines, so a ``dealstage`` names one stage.

The lookups at the end (``ecommerce_stages``, ``stage_ids``, ``default_pipeline_id``) are what
the sync apply and CRM writes validate a deal's ``dealstage`` with.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Connection, Row

from ecombridge.clock import now_ms
from ecombridge.crm_schema import pipeline_repository as repo
from ecombridge.crm_schema import repository as property_repo
from ecombridge.crm_schema.standard import ECOMMERCE_STAGES, PIPELINE_LABEL
from ecombridge.errors import Conflict, NotFound, ValidationFailed

_PIPELINE_NAMESPACE = uuid.UUID("6f1c2a3e-0b7d-4c59-9a43-3c1e0d6f8b21")
FIXED_STAGE_IDS = tuple(stage.id for stage in ECOMMERCE_STAGES)
MAX_ID_LENGTH = 64  # pipelines.id and pipeline_stages.id


def ecommerce_pipeline_id(portal_id: int) -> str:
    """Derived from the portal id, so concurrent installs agree on it and a plain
    insert-if-missing is race free."""
    return str(uuid.uuid5(_PIPELINE_NAMESPACE, f"ecommerce-pipeline:{portal_id}"))


@dataclass(frozen=True)
class Pipeline:
    row: Row[Any]
    stages: list[Row[Any]]


@dataclass(frozen=True)
class StageInput:
    label: str
    display_order: int
    probability: float
    is_closed: bool
    id: str | None = None  # keeps (or, when new, chooses) the stage id


@dataclass(frozen=True)
class PipelineInput:
    label: str
    display_order: int
    stages: list[StageInput]


@dataclass(frozen=True)
class StageChanges:
    """A partial update of a stage; None leaves the attribute as it is."""

    label: str | None = None
    display_order: int | None = None
    probability: float | None = None
    is_closed: bool | None = None


def install_ecommerce_pipeline(conn: Connection, portal_id: int, now: int) -> None:
    """The portal's ecommerce pipeline and its six stages, where missing (idempotent)."""
    pipeline_id = ecommerce_pipeline_id(portal_id)
    repo.insert_pipeline_if_missing(
        conn, _pipeline_row(portal_id, pipeline_id, PIPELINE_LABEL, 0, now)
    )
    repo.insert_stages_if_missing(
        conn,
        [
            _stage_row(
                portal_id,
                pipeline_id,
                StageInput(s.label, order, s.probability, s.is_closed, s.id),
                now,
            )
            for order, s in enumerate(ECOMMERCE_STAGES)
        ],
    )


# ---------------------------------------------------------------------------------------------
# Reading


def list_pipelines(
    conn: Connection, portal_id: int, pipeline_id: str | None = None
) -> list[Pipeline]:
    rows = repo.list_pipelines(conn, portal_id, "DEAL", pipeline_id)
    if not rows:
        return []
    stages = repo.list_stages(conn, portal_id, [r.id for r in rows])
    return [Pipeline(r, [s for s in stages if s.pipeline_id == r.id]) for r in rows]


def get_pipeline(conn: Connection, portal_id: int, pipeline_id: str) -> Pipeline:
    found = list_pipelines(conn, portal_id, pipeline_id) if _valid_id(pipeline_id) else []
    if not found:
        raise NotFound(f"Pipeline {pipeline_id!r} does not exist in this portal.")
    return found[0]


def get_stage(conn: Connection, portal_id: int, pipeline_id: str, stage_id: str) -> Row[Any]:
    for stage in get_pipeline(conn, portal_id, pipeline_id).stages:
        if stage.id == stage_id:
            return stage
    raise NotFound(f"Stage {stage_id!r} does not exist in pipeline {pipeline_id!r}.")


# ---------------------------------------------------------------------------------------------
# Writing


def create_pipeline(
    conn: Connection, portal_id: int, new: PipelineInput, pipeline_id: str | None = None
) -> Pipeline:
    pipeline_id = pipeline_id or str(uuid.uuid4())
    _check_new_id(pipeline_id, "pipeline id")
    _require_stages(new.stages)
    now = now_ms()
    row = _pipeline_row(portal_id, pipeline_id, new.label, new.display_order, now)
    if not repo.insert_pipeline_if_missing(conn, row):
        raise Conflict(f"A pipeline with id {pipeline_id!r} already exists in this portal.")
    _add_stages(conn, portal_id, pipeline_id, new.stages, now)
    return _changed(conn, portal_id, pipeline_id)


def replace_pipeline(
    conn: Connection, portal_id: int, pipeline_id: str, new: PipelineInput
) -> Pipeline:
    """PUT: the pipeline becomes ``new``; stage inputs naming an existing stage's id update it,
    the others are added, and stages left out are deleted (never the fixed ecommerce ones)."""
    current = get_pipeline(conn, portal_id, pipeline_id)
    _require_stages(new.stages)
    existing = {stage.id for stage in current.stages}
    kept = {stage.id for stage in new.stages if stage.id in existing}
    removed = [stage_id for stage_id in existing if stage_id not in kept]
    _require_deletable(conn, portal_id, pipeline_id, removed)
    now = now_ms()
    repo.delete_stages(conn, portal_id, pipeline_id, removed)
    for stage in new.stages:
        if stage.id is not None and stage.id in kept:
            repo.update_stage(conn, portal_id, pipeline_id, stage.id, _stage_values(stage, now))
    _add_stages(conn, portal_id, pipeline_id, [s for s in new.stages if s.id not in kept], now)
    values = {"label": new.label, "display_order": new.display_order, "updated_at": now}
    repo.update_pipeline(conn, portal_id, pipeline_id, values)
    return _changed(conn, portal_id, pipeline_id)


def update_pipeline(
    conn: Connection,
    portal_id: int,
    pipeline_id: str,
    label: str | None,
    display_order: int | None,
) -> Pipeline:
    get_pipeline(conn, portal_id, pipeline_id)
    values: dict[str, Any] = {"updated_at": now_ms()}
    if label is not None:
        values["label"] = label
    if display_order is not None:
        values["display_order"] = display_order
    repo.update_pipeline(conn, portal_id, pipeline_id, values)
    return _changed(conn, portal_id, pipeline_id)


def delete_pipeline(conn: Connection, portal_id: int, pipeline_id: str) -> None:
    current = get_pipeline(conn, portal_id, pipeline_id)
    if pipeline_id == ecommerce_pipeline_id(portal_id):
        raise ValidationFailed(
            "The Ecommerce Pipeline holds the deals the Ecommerce Bridge syncs; it cannot be "
            "deleted."
        )
    _require_deletable(conn, portal_id, pipeline_id, [s.id for s in current.stages])
    repo.delete_pipeline(conn, portal_id, pipeline_id)
    _refresh_dealstage_options(conn, portal_id)


def create_stage(conn: Connection, portal_id: int, pipeline_id: str, new: StageInput) -> Row[Any]:
    get_pipeline(conn, portal_id, pipeline_id)
    stage_id = _add_stages(conn, portal_id, pipeline_id, [new], now_ms())[0]
    repo.update_pipeline(conn, portal_id, pipeline_id, {"updated_at": now_ms()})
    _refresh_dealstage_options(conn, portal_id)
    return get_stage(conn, portal_id, pipeline_id, stage_id)


def update_stage(
    conn: Connection, portal_id: int, pipeline_id: str, stage_id: str, changes: StageChanges
) -> Row[Any]:
    get_stage(conn, portal_id, pipeline_id, stage_id)
    values: dict[str, Any] = {
        key: value
        for key, value in (
            ("label", changes.label),
            ("display_order", changes.display_order),
            ("probability", changes.probability),
            ("is_closed", changes.is_closed),
        )
        if value is not None
    }
    values["updated_at"] = now_ms()
    repo.update_stage(conn, portal_id, pipeline_id, stage_id, values)
    _refresh_dealstage_options(conn, portal_id)
    return get_stage(conn, portal_id, pipeline_id, stage_id)


def replace_stage(
    conn: Connection, portal_id: int, pipeline_id: str, stage_id: str, new: StageInput
) -> Row[Any]:
    changes = StageChanges(new.label, new.display_order, new.probability, new.is_closed)
    return update_stage(conn, portal_id, pipeline_id, stage_id, changes)


def delete_stage(conn: Connection, portal_id: int, pipeline_id: str, stage_id: str) -> None:
    pipeline = get_pipeline(conn, portal_id, pipeline_id)
    get_stage(conn, portal_id, pipeline_id, stage_id)
    if len(pipeline.stages) == 1:
        raise ValidationFailed("A pipeline needs at least one stage; delete the pipeline instead.")
    _require_deletable(conn, portal_id, pipeline_id, [stage_id])
    repo.delete_stages(conn, portal_id, pipeline_id, [stage_id])
    repo.update_pipeline(conn, portal_id, pipeline_id, {"updated_at": now_ms()})
    _refresh_dealstage_options(conn, portal_id)


# ---------------------------------------------------------------------------------------------
# Lookups for validating a deal's dealstage (the sync apply, CRM writes)


def ecommerce_stages(conn: Connection, portal_id: int) -> tuple[str, frozenset[str]] | None:
    """The ecommerce pipeline's id and its stage ids; None before the portal's schema is in
    place. Synced deals are always in this pipeline."""
    pipeline_id = ecommerce_pipeline_id(portal_id)
    ids = repo.stage_ids(conn, portal_id, pipeline_id)
    return (pipeline_id, ids) if ids else None


def stage_ids(conn: Connection, portal_id: int, pipeline_id: str) -> frozenset[str] | None:
    """The stage ids of a deal pipeline; None when the portal has no such pipeline."""
    if not _valid_id(pipeline_id):
        return None
    ids = repo.stage_ids(conn, portal_id, pipeline_id)
    return ids or None  # every pipeline has at least one stage


def default_pipeline_id(conn: Connection, portal_id: int) -> str | None:
    """Where a deal goes when it names no pipeline: the first pipeline in display order (the
    ecommerce pipeline unless the portal reordered them)."""
    rows = repo.list_pipelines(conn, portal_id, "DEAL")
    return str(rows[0].id) if rows else None


# ---------------------------------------------------------------------------------------------


def _valid_id(value: str) -> bool:
    return 0 < len(value) <= MAX_ID_LENGTH and "\x00" not in value


def _check_new_id(value: str, what: str) -> None:
    if not _valid_id(value) or "/" in value or value != value.strip():
        raise ValidationFailed(
            f"{what}: {value!r} must be 1-{MAX_ID_LENGTH} characters, without '/' or "
            "surrounding spaces."
        )


def _require_stages(stages: list[StageInput]) -> None:
    if not stages:
        raise ValidationFailed("stages: a pipeline needs at least one stage.")
    ids = [s.id for s in stages if s.id is not None]
    if len(ids) != len(set(ids)):
        raise ValidationFailed("stages: two stages have the same id.")


def _require_deletable(
    conn: Connection, portal_id: int, pipeline_id: str, ids: Iterable[str]
) -> None:
    ids = list(ids)
    if pipeline_id == ecommerce_pipeline_id(portal_id):
        fixed = [stage_id for stage_id in FIXED_STAGE_IDS if stage_id in ids]
        if fixed:
            raise ValidationFailed(
                f"The Ecommerce Pipeline's stages {', '.join(fixed)} are the dealstage values "
                "the Ecommerce Bridge syncs; they cannot be deleted. Include them (with their "
                "id) to relabel them."
            )
    held = repo.count_deals(conn, portal_id, pipeline_id, ids) if ids else 0
    if held:
        raise Conflict(
            f"{held} deal(s) are in the stage(s) {', '.join(sorted(ids))} of pipeline "
            f"{pipeline_id!r}; move them to another stage first."
        )


def _add_stages(
    conn: Connection, portal_id: int, pipeline_id: str, stages: list[StageInput], now: int
) -> list[str]:
    """Insert new stages (ids chosen or generated); returns their ids."""
    chosen = [s.id for s in stages if s.id is not None]
    for stage_id in chosen:
        _check_new_id(stage_id, "stage id")
    taken = repo.stages_named(conn, portal_id, chosen)
    if taken:
        raise Conflict(
            f"Stage id {taken[0].id!r} is already used by pipeline {taken[0].pipeline_id!r}; "
            "stage ids are unique in a portal."
        )
    rows = [
        _stage_row(portal_id, pipeline_id, stage if stage.id else _with_new_id(stage), now)
        for stage in stages
    ]
    repo.insert_stages_if_missing(conn, rows)
    return [row["id"] for row in rows]


def _with_new_id(stage: StageInput) -> StageInput:
    return StageInput(
        stage.label, stage.display_order, stage.probability, stage.is_closed, str(uuid.uuid4())
    )


def _changed(conn: Connection, portal_id: int, pipeline_id: str) -> Pipeline:
    _refresh_dealstage_options(conn, portal_id)
    return get_pipeline(conn, portal_id, pipeline_id)


def _refresh_dealstage_options(conn: Connection, portal_id: int) -> None:
    """The ``dealstage`` property lists every stage of every pipeline, as HubSpot's does."""
    options = [
        {"label": stage.label, "value": stage.id, "displayOrder": order, "hidden": False}
        for order, stage in enumerate(s for p in list_pipelines(conn, portal_id) for s in p.stages)
    ]
    property_repo.update_property(
        conn, portal_id, "DEAL", "dealstage", {"options": options, "updated_at": now_ms()}
    )


def _pipeline_row(
    portal_id: int, pipeline_id: str, label: str, order: int, now: int
) -> dict[str, Any]:
    return {
        "portal_id": portal_id,
        "id": pipeline_id,
        "object_type": "DEAL",
        "label": label,
        "display_order": order,
        "created_at": now,
        "updated_at": now,
    }


def _stage_values(stage: StageInput, now: int) -> dict[str, Any]:
    return {
        "label": stage.label,
        "display_order": stage.display_order,
        "probability": stage.probability,
        "is_closed": stage.is_closed,
        "updated_at": now,
    }


def _stage_row(portal_id: int, pipeline_id: str, stage: StageInput, now: int) -> dict[str, Any]:
    return {
        "portal_id": portal_id,
        "pipeline_id": pipeline_id,
        "id": stage.id,
        "created_at": now,
        **_stage_values(stage, now),
    }
