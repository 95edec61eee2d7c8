"""Wire shapes of deal pipelines: CRM v3 (ISO 8601 times, stage metadata as strings, as
``hubspot-api-client``'s ``Pipeline`` and ``PipelineStage`` models read them) and the legacy
``/crm-pipelines/v1`` and ``/deals/v1`` shapes integrations still call.

Inputs are read leniently: unknown attributes are ignored (the WooCommerce plugin PUTs back the
pipeline it read, ``createdAt`` and all), a stage input may carry its ``id`` (v1: ``stageId``) to
keep that stage, and stage metadata values may be strings or JSON numbers and booleans.
"""

from __future__ import annotations

import math
from typing import Any

from sqlalchemy.engine import Row

from ecombridge.clock import iso_ms
from ecombridge.crm_schema.pipelines import Pipeline, PipelineInput, StageChanges, StageInput
from ecombridge.crm_schema.schemas import display_order, text_field
from ecombridge.errors import ValidationFailed

LABEL_LIMIT = 200


def _metadata(stage: Row[Any]) -> dict[str, str]:
    return {
        "probability": str(float(stage.probability)),
        "isClosed": "true" if stage.is_closed else "false",
    }


def render_stage_v3(stage: Row[Any]) -> dict[str, Any]:
    return {
        "id": stage.id,
        "label": stage.label,
        "displayOrder": stage.display_order,
        "metadata": _metadata(stage),
        "archived": False,
        "createdAt": iso_ms(stage.created_at),
        "updatedAt": iso_ms(stage.updated_at),
    }


def render_pipeline_v3(pipeline: Pipeline) -> dict[str, Any]:
    row = pipeline.row
    return {
        "id": row.id,
        "label": row.label,
        "displayOrder": row.display_order,
        "archived": False,
        "createdAt": iso_ms(row.created_at),
        "updatedAt": iso_ms(row.updated_at),
        "stages": [render_stage_v3(stage) for stage in pipeline.stages],
    }


def render_pipeline_v1(pipeline: Pipeline, *, with_metadata: bool = True) -> dict[str, Any]:
    """``/crm-pipelines/v1`` (with stage metadata) and ``/deals/v1`` (without)."""
    row = pipeline.row
    stages = []
    for stage in pipeline.stages:
        rendered: dict[str, Any] = {
            "stageId": stage.id,
            "label": stage.label,
            "displayOrder": stage.display_order,
            "probability": float(stage.probability),
            "closedWon": bool(stage.is_closed and stage.probability >= 1.0),
            "active": True,
        }
        if with_metadata:
            rendered["metadata"] = _metadata(stage)
        stages.append(rendered)
    return {
        "pipelineId": row.id,
        "label": row.label,
        "displayOrder": row.display_order,
        "active": True,
        "stages": stages,
    }


def _object(body: Any, where: str, shape: str) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise ValidationFailed(f"{where}: must be a JSON object {shape}.")
    return body


def _label(body: dict[str, Any], where: str, *, required: bool) -> str | None:
    try:
        return text_field(body, "label", required=required, limit=LABEL_LIMIT)
    except ValidationFailed as exc:
        raise ValidationFailed(where + exc.message) from None


def _probability(value: Any, where: str) -> float:
    try:
        number = (
            float(value)
            if isinstance(value, int | float | str) and not isinstance(value, bool)
            else math.nan
        )
    except ValueError:
        number = math.nan
    if not 0.0 <= number <= 1.0:
        raise ValidationFailed(f"{where}: must be a number between 0.0 and 1.0, got {value!r}.")
    return number


def _flag(value: Any, where: str) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise ValidationFailed(f"{where}: must be true or false, got {value!r}.")


def _stage_metadata(
    body: dict[str, Any], where: str, *, legacy: bool
) -> tuple[float | None, bool | None]:
    """(probability, isClosed) from ``metadata`` or, in the legacy shapes, the top level."""
    raw = body.get("metadata")
    metadata = (
        _object(raw, f"{where}metadata", '{"probability", "isClosed"}') if raw is not None else {}
    )
    probability, closed = metadata.get("probability"), metadata.get("isClosed")
    if legacy:
        probability = probability if probability is not None else body.get("probability")
        if closed is None and body.get("closedWon") is not None:
            closed = _flag(body["closedWon"], f"{where}closedWon") or None
    return (
        None if probability is None else _probability(probability, f"{where}metadata.probability"),
        None if closed is None else _flag(closed, f"{where}metadata.isClosed"),
    )


def parse_stage(
    body: Any, where: str = "", *, position: int = 0, legacy: bool = False
) -> StageInput:
    body = _object(body, where or "body", '{"label", "displayOrder", "metadata"}')
    label = _label(body, where, required=True) or ""
    probability, closed = _stage_metadata(body, where, legacy=legacy)
    if probability is None:
        raise ValidationFailed(
            f"{where}metadata.probability: deal stages need a probability between 0.0 and 1.0."
        )
    raw_id = body.get("stageId" if legacy else "id")
    if raw_id is not None and (not isinstance(raw_id, str) or not raw_id):
        raise ValidationFailed(
            f"{where}{'stageId' if legacy else 'id'}: must be a non-empty string."
        )
    order = display_order(body, where)
    return StageInput(
        label, position if order is None else order, probability, bool(closed), raw_id
    )


def parse_pipeline(body: Any, *, legacy: bool = False) -> PipelineInput:
    body = _object(body, "body", '{"label", "displayOrder", "stages"}')
    label = _label(body, "", required=True) or ""
    order = display_order(body) or 0
    stages = body.get("stages")
    if not isinstance(stages, list):
        raise ValidationFailed(
            "stages: must be an array of stages {label, displayOrder, metadata}."
        )
    parsed = [
        parse_stage(stage, f"stages[{i}].", position=i, legacy=legacy)
        for i, stage in enumerate(stages)
    ]
    return PipelineInput(label, order, parsed)


def _not_archiving(body: dict[str, Any]) -> None:
    if body.get("archived") not in (None, False):
        raise ValidationFailed("archived: archive with DELETE; only false is accepted here.")


def parse_pipeline_patch(body: Any) -> tuple[str | None, int | None]:
    body = _object(body, "body", '{"label"?, "displayOrder"?}')
    _not_archiving(body)
    return _label(body, "", required=False), display_order(body)


def parse_stage_patch(body: Any) -> StageChanges:
    body = _object(body, "body", '{"label"?, "displayOrder"?, "metadata"?}')
    _not_archiving(body)
    probability, closed = _stage_metadata(body, "", legacy=False)
    return StageChanges(_label(body, "", required=False), display_order(body), probability, closed)


def legacy_pipeline_id(body: Any) -> str | None:
    """The ``pipelineId`` a legacy create names, if any."""
    if isinstance(body, dict) and isinstance(body.get("pipelineId"), str) and body["pipelineId"]:
        return str(body["pipelineId"])
    return None
