"""Requests the relay sent, checked against the official HubSpot SDK's request models: every
JSON key must be one the model names, every value of the model's type, required fields present
(the SDK's own client-side validation, enums included)."""

from __future__ import annotations

import importlib
import re
from types import ModuleType
from typing import Any

_SCALARS = {"str": str, "int": int, "bool": bool, "float": (int, float)}
_UPSERT = re.compile(r"^/crm/v3/objects/(contacts|deals|products|line_items)/batch/upsert$")
_UPDATE = re.compile(r"^/crm/v3/objects/(contacts|deals|products|line_items)/batch/update$")
_ARCHIVE = re.compile(r"^/crm/v4/associations/\w+/\w+/batch/archive$")
_ASSOCIATE = re.compile(r"^/crm/v4/associations/\w+/\w+/batch/associate/default$")
_PROPERTY = re.compile(r"^/crm/v3/properties/\w+$")
_GROUP = re.compile(r"^/crm/v3/properties/\w+/groups$")
_PIPELINE = re.compile(r"^/crm/v3/pipelines/deals$")
_STAGE = re.compile(r"^/crm/v3/pipelines/deals/[^/]+/stages$")


def _build(models: ModuleType, type_name: str, value: Any, where: str) -> Any:
    if type_name in _SCALARS:
        assert isinstance(value, _SCALARS[type_name]), f"{where}: {value!r} is not {type_name}"
        return value
    if type_name == "object":
        return value
    if type_name.startswith("list["):
        assert isinstance(value, list), f"{where}: not a list"
        inner = type_name[5:-1]
        return [_build(models, inner, v, f"{where}[{i}]") for i, v in enumerate(value)]
    if type_name.startswith("dict["):
        assert isinstance(value, dict), f"{where}: not an object"
        inner = type_name[5:-1].split(", ", 1)[1]
        return {k: _build(models, inner, v, f"{where}.{k}") for k, v in value.items()}
    model = getattr(models, type_name)
    assert isinstance(value, dict), f"{where}: not an object"
    by_json = {json_key: attr for attr, json_key in model.attribute_map.items()}
    unknown = set(value) - set(by_json)
    assert not unknown, f"{where}: {sorted(unknown)} not in {type_name}"
    kwargs = {
        by_json[k]: _build(models, model.openapi_types[by_json[k]], v, f"{where}.{k}")
        for k, v in value.items()
    }
    return model(**kwargs)


def model_for(method: str, path: str) -> tuple[str, str] | None:
    """(models module, class) of the request body at ``path``; None for bodiless requests."""
    if method == "GET":
        return None
    if m := _UPSERT.match(path):
        return f"hubspot.crm.{m.group(1)}.models", "BatchInputSimplePublicObjectBatchInputUpsert"
    if m := _UPDATE.match(path):
        return f"hubspot.crm.{m.group(1)}.models", "BatchInputSimplePublicObjectBatchInput"
    if _ARCHIVE.match(path):
        return "hubspot.crm.associations.v4.models", "BatchInputPublicAssociationMultiArchive"
    if _ASSOCIATE.match(path):
        return "hubspot.crm.associations.v4.models", "BatchInputPublicDefaultAssociationMultiPost"
    if _GROUP.match(path):
        return "hubspot.crm.properties.models", "PropertyGroupCreate"
    if _PROPERTY.match(path):
        return "hubspot.crm.properties.models", "PropertyCreate"
    if _PIPELINE.match(path):
        return "hubspot.crm.pipelines.models", "PipelineInput"
    if _STAGE.match(path):
        return "hubspot.crm.pipelines.models", "PipelineStageInput"
    raise AssertionError(f"the relay sent {method} {path}, which no SDK model describes here")


def check_request(method: str, path: str, body: Any) -> Any:
    found = model_for(method, path)
    if found is None:
        assert body is None, f"{method} {path} has a body"
        return None
    module, name = found
    return _build(importlib.import_module(module), name, body, f"{method} {path}")
