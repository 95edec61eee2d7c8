"""ensure_portal_schema: the standard and managed properties and the Ecommerce Pipeline."""

from __future__ import annotations

import uuid

import sqlalchemy as sa

from ecombridge.crm_schema import pipelines as pipeline_rules
from ecombridge.crm_schema import service
from ecombridge.crm_schema.standard import MANAGED_GROUP
from ecombridge.db.engine import Database
from ecombridge.db.tables import crm_properties, pipeline_stages, pipelines
from tests.support.factories import Portal

STAGES = [
    ("checkout_abandoned", 0.1, False),
    ("checkout_pending", 0.2, False),
    ("checkout_completed", 0.6, False),
    ("processed", 1.0, True),
    ("shipped", 1.0, True),
    ("cancelled", 0.0, True),
]


def _types(db: Database, portal_id: int, object_type: str) -> dict[str, str]:
    with db.read() as conn:
        return service.property_types(conn, portal_id, object_type)


def test_installs_standard_and_managed_properties(db: Database, portal: Portal) -> None:
    with db.write() as conn:
        service.ensure_portal_schema(conn, portal.id)

    contact = _types(db, portal.id, "CONTACT")
    for name in ("email", "firstname", "lastname", "phone", "mobilephone", "company", "address"):
        assert contact[name] == "string"
    for name in ("city", "state", "zip", "country", "jobtitle"):
        assert contact[name] == "string"
    assert contact["createdate"] == contact["lastmodifieddate"] == "datetime"

    deal = _types(db, portal.id, "DEAL")
    assert deal["dealstage"] == deal["dealtype"] == "enumeration"
    assert deal["amount"] == "number"
    assert deal["closedate"] == deal["createdate"] == "datetime"
    assert {"dealname", "description", "pipeline"} <= deal.keys()
    assert deal["ip__ecomm_bridge__discount_amount"] == "number"
    assert deal["ip__ecomm_bridge__tax_amount"] == "number"
    for name in ("abandoned_cart_url", "order_number", "shipment_ids"):
        assert deal["ip__ecomm_bridge__" + name] == "string"

    product = _types(db, portal.id, "PRODUCT")
    assert product["price"] == "number"
    assert {"name", "description", "hs_sku", "createdate", "ip__ecomm_bridge__image_url"} <= (
        product.keys()
    )

    line_item = _types(db, portal.id, "LINE_ITEM")
    for name in ("quantity", "price", "amount", "discount", "tax"):
        assert line_item[name] == "number"
    assert {"name", "description", "hs_product_id", "hs_line_item_currency_code"} <= (
        line_item.keys()
    )

    for types in (contact, deal, product, line_item):
        assert types["ip__ecomm_bridge__ecomm_synced"] == "bool"
        assert types["ip__ecomm_bridge__source_app_id"] == "string"
        assert types["ip__ecomm_bridge__source_store_id"] == "string"
    assert "ip__ecomm_bridge__image_url" not in deal


def test_managed_properties_are_in_the_bridge_group(db: Database, portal: Portal) -> None:
    with db.write() as conn:
        service.ensure_portal_schema(conn, portal.id)
    with db.read() as conn:
        synced = service.get_property(conn, portal.id, "DEAL", "ip__ecomm_bridge__ecomm_synced")
        stage = service.get_property(conn, portal.id, "DEAL", "dealstage")
    assert synced.group_name == MANAGED_GROUP
    assert [o["value"] for o in stage.options] == [s for s, _, _ in STAGES]
    assert stage.group_name == "dealinformation"


def test_creates_the_ecommerce_pipeline_with_six_fixed_stages(db: Database, portal: Portal) -> None:
    with db.write() as conn:
        service.ensure_portal_schema(conn, portal.id)
    with db.read() as conn:
        (pipeline,) = pipeline_rules.list_pipelines(conn, portal.id)
        ecommerce = pipeline_rules.ecommerce_stages(conn, portal.id)
    assert pipeline.row.label == "Ecommerce Pipeline"
    assert uuid.UUID(pipeline.row.id)
    assert [(s.id, s.probability, s.is_closed) for s in pipeline.stages] == STAGES
    assert [s.display_order for s in pipeline.stages] == list(range(6))
    assert ecommerce == (pipeline.row.id, {s for s, _, _ in STAGES})


def test_each_portal_gets_its_own_pipeline_id(
    db: Database, portal: Portal, other_portal: Portal
) -> None:
    with db.write() as conn:
        service.ensure_portal_schema(conn, portal.id)
        service.ensure_portal_schema(conn, other_portal.id)
    with db.read() as conn:
        (first,) = pipeline_rules.list_pipelines(conn, portal.id)
        (second,) = pipeline_rules.list_pipelines(conn, other_portal.id)
    assert first.row.id != second.row.id


def test_is_idempotent(db: Database, portal: Portal) -> None:
    def counts() -> tuple[int, int, int]:
        with db.read() as conn:
            return tuple(  # type: ignore[return-value]
                conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()
                for table in (crm_properties, pipelines, pipeline_stages)
            )

    with db.write() as conn:
        service.ensure_portal_schema(conn, portal.id)
    first = counts()
    with db.write() as conn:
        service.ensure_portal_schema(conn, portal.id)
    with db.write() as conn:
        service.ensure_portal_schema(conn, portal.id)
    assert counts() == first
    assert first[1:] == (1, 6)


def test_keeps_properties_the_portal_created(db: Database, portal: Portal) -> None:
    with db.write() as conn:
        service.ensure_portal_schema(conn, portal.id)
        service.create_property(
            conn,
            portal.id,
            "CONTACT",
            service.NewProperty("birth_year", "Birth year", "number", None, None, "", []),
        )
        service.ensure_portal_schema(conn, portal.id)
    assert _types(db, portal.id, "CONTACT")["birth_year"] == "number"


def test_concurrent_installs_agree(db: Database, portal: Portal) -> None:
    import threading

    barrier = threading.Barrier(4)
    failures: list[BaseException] = []

    def install() -> None:
        try:
            barrier.wait()
            with db.write() as conn:
                service.ensure_portal_schema(conn, portal.id)
        except BaseException as exc:  # reported below
            failures.append(exc)

    threads = [threading.Thread(target=install) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    with db.read() as conn:
        (pipeline,) = pipeline_rules.list_pipelines(conn, portal.id)
    assert len(pipeline.stages) == 6
