"""Reading records from JSON, NDJSON and CSV files, and turning them into messages.

A record is either already in wire form (``{"externalObjectId", "properties", ...}``) or flat:
one field is the id (``--id-column``), some may name associated objects (``--associate
DEAL=order_id``), every other field is a property. CSV columns are properties.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from ecombridge.client import OBJECT_TYPES, ImportMessage, SyncMessage

FORMATS = ("auto", "json", "ndjson", "csv")


def detect_format(path: Path, fmt: str) -> str:
    if fmt != "auto":
        return fmt
    suffix = path.suffix.lower()
    if suffix in (".ndjson", ".jsonl"):
        return "ndjson"
    if suffix == ".csv":
        return "csv"
    return "json"


def read_rows(path: Path, fmt: str = "auto") -> Iterator[dict[str, Any]]:
    kind = detect_format(path, fmt)
    if kind == "csv":
        with path.open(newline="", encoding="utf-8-sig") as handle:
            yield from csv.DictReader(handle)
        return
    if kind == "ndjson":
        with path.open(encoding="utf-8") as handle:
            for number, line in enumerate(handle, 1):
                if line.strip():
                    yield _object(json.loads(line), f"{path}:{number}")
        return
    data = json.loads(path.read_text(encoding="utf-8"))
    if isinstance(data, dict):
        data = data.get("messages", data.get("results", [data]))
    if not isinstance(data, list):
        raise ValueError(f"{path}: expected a JSON array of records")
    for index, item in enumerate(data):
        yield _object(item, f"{path}[{index}]")


def _object(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ValueError(f"{where}: a record must be a JSON object")
    return value


def parse_associations(specs: Sequence[str]) -> dict[str, str]:
    """``["DEAL=order_id"]`` -> ``{"DEAL": "order_id"}``."""
    result: dict[str, str] = {}
    for spec in specs:
        object_type, sep, column = spec.partition("=")
        if not sep or object_type not in OBJECT_TYPES or not column:
            raise ValueError(f"--associate {spec!r}: use TYPE=COLUMN, e.g. DEAL=order_id")
        result[object_type] = column
    return result


def _split(
    row: dict[str, Any], id_column: str, associate: dict[str, str], where: str
) -> tuple[str, dict[str, Any], dict[str, list[str]]]:
    if "externalObjectId" in row and ("properties" in row or "associations" in row):
        message = ImportMessage.from_wire(row)
        return message.external_object_id, message.properties, message.associations
    props = dict(row)
    ident = props.pop(id_column, None)
    if ident is None or ident == "":
        raise ValueError(f"{where}: no {id_column!r} field (choose the id with --id-column)")
    associations: dict[str, list[str]] = {}
    for object_type, column in associate.items():
        value = props.pop(column, None)
        if value not in (None, ""):
            associations[object_type] = [
                str(v) for v in (value if isinstance(value, list) else [value])
            ]
    return str(ident), props, associations


def sync_messages(
    rows: Iterator[dict[str, Any]],
    *,
    id_column: str = "id",
    associate: dict[str, str] | None = None,
    action: str = "UPSERT",
    where: str = "record",
) -> Iterator[SyncMessage]:
    for number, row in enumerate(rows, 1):
        if "externalObjectId" in row and "properties" in row:
            yield SyncMessage.from_wire({"action": action, **row})
            continue
        ident, props, assoc = _split(row, id_column, associate or {}, f"{where} {number}")
        yield SyncMessage(ident, props, assoc, action=action)


def import_messages(
    rows: Iterator[dict[str, Any]],
    *,
    id_column: str = "id",
    associate: dict[str, str] | None = None,
    where: str = "record",
) -> Iterator[ImportMessage]:
    for number, row in enumerate(rows, 1):
        ident, props, assoc = _split(row, id_column, associate or {}, f"{where} {number}")
        yield ImportMessage(ident, props, assoc)
