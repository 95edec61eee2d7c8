"""A record's properties as people read them: labels from the portal's CRM schema, values
formatted by type (money, dates, Yes/No, lists, option and stage labels), system ones apart."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup
from sqlalchemy.engine import Connection

from ecombridge.crm_schema import repository as schema_repo
from ecombridge.web.display import CURRENCY_PROPERTY, MONEY_PROPERTIES, is_system
from ecombridge.web.format import DASH, Formatter
from ecombridge.web.repository import labels as labels_repo

# Dates the CRM keeps on every record, whether or not the schema lists them.
KNOWN_LABELS = {"lastmodifieddate": "Last Modified Date", "hs_lastmodifieddate": "Last Modified"}
_TRUE = {"true", "yes", "1"}
_FALSE = {"false", "no", "0"}


@dataclass(frozen=True)
class PropertySchema:
    """What the portal says about one object type's properties, plus deal stage and pipeline
    labels (the values of ``dealstage`` and ``pipeline``)."""

    object_type: str
    labels: dict[str, str] = field(default_factory=dict)
    types: dict[str, str] = field(default_factory=dict)
    options: dict[str, dict[str, str]] = field(default_factory=dict)
    descriptions: dict[str, str] = field(default_factory=dict)

    def label(self, name: str) -> str:
        found = self.labels.get(name) or KNOWN_LABELS.get(name)
        return found or name.replace("_", " ").strip().capitalize() or name

    def kind(self, name: str) -> str:
        return self.types.get(name) or ("datetime" if name in KNOWN_LABELS else "")


def load_schema(conn: Connection, portal_id: int, object_type: str) -> PropertySchema:
    schema = PropertySchema(object_type)
    for row in schema_repo.list_properties(conn, portal_id, object_type):
        schema.labels[row.name] = row.label
        schema.types[row.name] = row.type
        schema.descriptions[row.name] = row.description or ""
        if row.options:
            schema.options[row.name] = {
                str(o.get("value")): str(o.get("label") or o.get("value"))
                for o in row.options
                if isinstance(o, dict)
            }
    if object_type == "DEAL":
        schema.options["dealstage"] = labels_repo.stage_labels(conn, portal_id)
        schema.options["pipeline"] = labels_repo.pipeline_labels(conn, portal_id)
    return schema


def yes_no(value: Any) -> str | None:
    if isinstance(value, bool):
        return "Yes" if value else "No"
    text = str(value).strip().lower()
    return "Yes" if text in _TRUE else ("No" if text in _FALSE else None)


def show_value(
    schema: PropertySchema, name: str, value: Any, record: dict[str, Any], fmt: Formatter
) -> str | Markup:
    """One property value, formatted for its type; never a Python repr."""
    if value is None or value == "" or value == []:
        return DASH
    kind = schema.kind(name)
    if name in MONEY_PROPERTIES.get(schema.object_type, ()):
        currency = record.get(CURRENCY_PROPERTY.get(schema.object_type, ""))
        return fmt.money(value, currency)
    if name in schema.options:
        labels = schema.options[name]
        parts = str(value).split(";") if kind == "enumeration" else [str(value)]
        return ", ".join(labels.get(part, part) for part in parts)
    if kind == "bool" or isinstance(value, bool):
        return yes_no(value) or str(value)
    if isinstance(value, list):
        return ", ".join(DASH if v is None else str(v) for v in value) or DASH
    if isinstance(value, dict):
        return ", ".join(f"{k}: {v}" for k, v in value.items()) or DASH
    if kind == "datetime":
        return fmt.when(value, style="both")
    if kind == "date":
        return fmt.day(value)
    if kind == "number":
        return fmt.number(value)
    return str(value)


LONG_VALUE = 280  # characters; longer texts fold behind their beginning


@dataclass(frozen=True)
class ShownProperty:
    name: str
    label: str
    value: str | Markup
    description: str

    @property
    def preview(self) -> str | None:
        """The beginning of a long plain text, shown folded."""
        if isinstance(self.value, Markup) or len(self.value) <= LONG_VALUE:
            return None
        return self.value[:160].rstrip() + "…"


def shown_properties(
    schema: PropertySchema, properties: dict[str, Any], fmt: Formatter
) -> tuple[list[ShownProperty], list[ShownProperty]]:
    """(everyday, system) properties of a record, each sorted by label."""
    everyday: list[ShownProperty] = []
    system: list[ShownProperty] = []
    for name, value in properties.items():
        shown = ShownProperty(
            name,
            schema.label(name),
            show_value(schema, name, value, properties, fmt),
            schema.descriptions.get(name, ""),
        )
        (system if is_system(name) else everyday).append(shown)
    everyday.sort(key=lambda p: p.label.lower())
    system.sort(key=lambda p: p.label.lower())
    return everyday, system
