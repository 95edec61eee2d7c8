"""Mappings: the property mappings of the settings per object type, viewable and editable.

The portal's own settings (its custom integration) are editable here; an installed app's settings
belong to the app's developer and are shown read-only. Edits go through the settings service and
its validation, whose messages are shown next to the row they concern.
"""

from __future__ import annotations

import json
import re
from typing import Any

from fastapi import APIRouter, Request
from sqlalchemy.engine import Connection
from starlette.responses import Response

from ecombridge.api.deps import Db, ReadConn
from ecombridge.crm_schema.object_types import OBJECT_TYPES
from ecombridge.errors import ValidationFailed
from ecombridge.sync_settings import service as settings_service
from ecombridge.sync_settings.schemas import DATA_TYPES, Settings
from ecombridge.sync_settings.validation import parse_v2
from ecombridge.web.display import TYPE_LABELS
from ecombridge.web.properties import PropertySchema, load_schema
from ecombridge.web.render import redirect, render
from ecombridge.web.repository.stores import app_names
from ecombridge.web.session import CsrfChecked, CurrentUser

router = APIRouter()
BLANK_ROWS = 3
MAX_ROWS = 500
_ROW_AT = re.compile(r"^mappings\.\w+\.properties\[(\d+)\](?:\.(\w+))?")


def _settings(conn: Connection, portal_id: int, source: int) -> Settings | None:
    # App settings are stored with portal_id 0; the portal's own with app_id 0.
    if source == 0:
        return settings_service.find_settings(conn, portal_id, 0)
    return settings_service.find_settings(conn, 0, source)


# The mapping data type that fits a CRM property type.
SUGGESTED_TYPES = {"number": "NUMBER", "datetime": "DATETIME", "date": "DATETIME"}
FIELD_NAMES = {
    "externalPropertyName": "Store field",
    "hubspotPropertyName": "CRM property",
    "dataType": "Data type",
}


def _rows(settings: Settings | None, object_type: str) -> list[dict[str, str]]:
    if settings is None:
        return []
    return [
        {"ext": m.external_name, "hub": m.hubspot_name, "type": m.data_type or ""}
        for m in settings.mappings.get(object_type, [])
    ]


def _checked(rows: list[dict[str, str]], schema: PropertySchema) -> list[dict[str, str]]:
    """Rows with a warning when the CRM property does not exist in the portal (syncing skips
    it) and the property's label."""
    return [
        {
            **row,
            "label": schema.labels.get(row["hub"], ""),
            "warning": (
                f"The portal has no {schema.object_type.lower().replace('_', ' ')} property "
                f"named “{row['hub']}”: values mapped to it are skipped. Pick one from the list, "
                "or create the property first."
            )
            if row["hub"] and row["hub"] not in schema.labels
            else "",
        }
        for row in rows
    ]


def _context(
    conn: Connection, portal_id: int, source: int, object_type: str, settings: Settings | None
) -> dict[str, Any]:
    names = app_names(conn, portal_id)
    schema = load_schema(conn, portal_id, object_type)
    return {
        "schema": schema,
        "section": "mappings",
        "sources": [(0, "Custom integration"), *sorted(names.items())],
        "source": source,
        "object_type": object_type,
        "object_types": [(t, TYPE_LABELS[t]) for t in OBJECT_TYPES],
        "data_types": DATA_TYPES,
        "settings": settings,
        "editable": source == 0,
        "enabled": settings.enabled if settings is not None else True,
        "rows": _checked(_rows(settings, object_type), schema),
        "blank_rows": BLANK_ROWS,
        "error": None,
        "field_error": None,
        "error_row": None,
        "error_field": None,
        "saved": False,
        "properties": sorted(schema.labels.items(), key=lambda kv: kv[1].lower()),
        "suggested_types": json.dumps(
            {name: SUGGESTED_TYPES.get(kind, "STRING") for name, kind in schema.types.items()}
        ),
    }


def _choice(request: Request, conn: Connection, portal_id: int) -> tuple[int, str]:
    params = request.query_params
    object_type = params.get("type", "CONTACT")
    object_type = object_type if object_type in OBJECT_TYPES else "CONTACT"
    try:
        source = int(params.get("source", "0"))
    except ValueError:
        source = 0
    if source != 0 and source not in app_names(conn, portal_id):
        source = 0
    return source, object_type


@router.get("/mappings")
def mappings_page(request: Request, user: CurrentUser, conn: ReadConn) -> Response:
    source, object_type = _choice(request, conn, user.portal_id)
    context = _context(
        conn, user.portal_id, source, object_type, _settings(conn, user.portal_id, source)
    )
    context["saved"] = request.query_params.get("saved") == "1"
    return render(request, "mappings.html", context)


def _submitted_rows(form: Any) -> list[dict[str, str]]:
    try:
        count = min(int(form.get("rows", "0")), MAX_ROWS)
    except ValueError:
        count = 0
    rows = []
    for index in range(count):
        row = {key: str(form.get(f"{key}_{index}", "")).strip() for key in ("ext", "hub", "type")}
        if row["ext"] or row["hub"]:
            rows.append(row)
    return rows


@router.post("/mappings", dependencies=[CsrfChecked])
async def save_mappings(request: Request, user: CurrentUser, database: Db) -> Response:
    form = await request.form()
    object_type = str(form.get("object_type", ""))
    if object_type not in OBJECT_TYPES:
        object_type = "CONTACT"
    rows = _submitted_rows(form)
    enabled = form.get("enabled") == "on"
    with database.read() as conn:
        current = settings_service.find_settings(conn, user.portal_id, 0)
    mappings: dict[str, Any] = {
        t: {"properties": [m.to_json() for m in current.mappings.get(t, [])]} if current else {}
        for t in OBJECT_TYPES
    }
    mappings[object_type] = {
        "properties": [
            {"externalPropertyName": r["ext"], "hubspotPropertyName": r["hub"]}
            | ({"dataType": r["type"]} if r["type"] else {})
            for r in rows
        ]
    }
    body = {
        "enabled": enabled,
        "webhookUri": current.webhook_uri if current else None,
        "mappings": mappings,
    }
    try:
        settings = parse_v2(body)
        with database.write() as conn:
            settings_service.put_settings_v2(conn, user.portal_id, 0, settings)
    except ValidationFailed as exc:
        with database.read() as conn:
            context = _context(conn, user.portal_id, 0, object_type, current)
        first = (exc.errors or [{}])[0]
        found = _ROW_AT.match(str(first.get("in", "")))
        row = int(found.group(1)) if found else None
        field = found.group(2) if found else None
        message = str(first.get("message") or exc.message)
        if row is not None:
            message = f"Row {row + 1}, {FIELD_NAMES.get(field or '', 'mapping').lower()}: {message}"
        context.update(
            rows=_checked(rows, context["schema"]),
            enabled=enabled,
            error=message,
            field_error=str(first.get("message") or exc.message),
            error_row=row,
            error_field=field,
        )
        # The form again with the message at its row (200, like every re-shown form).
        return render(request, "mappings.html", context)
    return redirect(request, f"/app/mappings?source=0&type={object_type}&saved=1")
