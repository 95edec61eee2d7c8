"""What a batch is checked against, resolved once per batch: portal, settings, mappings, the
property registry and the ecommerce pipeline (synced deals are always in it, so its stages are
the valid ``dealstage`` values)."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.engine import Connection

from ecombridge.crm_schema.pipelines import ecommerce_stages
from ecombridge.sync.apply import repository as repo
from ecombridge.sync.apply.values import Error, Field, compile_fields
from ecombridge.sync.messages import BatchContext
from ecombridge.sync_settings.service import settings_for_source


@dataclass(frozen=True)
class BatchRules:
    # Set when no message of the batch can be processed (inactive portal, settings missing or off).
    batch_error: Error | None = None
    fields: dict[str, Field] = field(default_factory=dict)
    stage_ids: frozenset[str] = frozenset()
    pipeline_id: str | None = None


def load_rules(conn: Connection, ctx: BatchContext) -> BatchRules:
    if not repo.portal_active(conn, ctx.portal_id):
        return BatchRules(("INACTIVE_PORTAL", f"Portal {ctx.portal_id} is not active"))
    settings = settings_for_source(conn, ctx.portal_id, ctx.source_app_id)
    owner = f"app {ctx.source_app_id}" if ctx.source_app_id else f"portal {ctx.portal_id}"
    if settings is None:
        return BatchRules(("NO_SYNC_SETTINGS", f"No ecommerce sync settings exist for {owner}"))
    if not settings.enabled:
        return BatchRules(
            ("SETTINGS_NOT_ENABLED", f"Ecommerce sync settings of {owner} are not enabled")
        )
    mappings = [m.to_json() for m in settings.mappings.get(ctx.object_type, [])]
    names = [m.get("hubspotPropertyName") for m in mappings]
    registry = repo.property_registry(
        conn, ctx.portal_id, ctx.object_type, [n for n in names if isinstance(n, str)]
    )
    fields = compile_fields(ctx.object_type, mappings, registry)
    if ctx.object_type != "DEAL":
        return BatchRules(fields=fields)
    pipeline = ecommerce_stages(conn, ctx.portal_id)
    if pipeline is None:
        return BatchRules(fields=fields)
    return BatchRules(fields=fields, pipeline_id=pipeline[0], stage_ids=pipeline[1])
