"""Orders around a record: a deal's line items with their products, a contact's deals, a
product's sales. Each query starts from the record's associations (indexed both ways)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Row

from ecombridge.db.tables import associations, crm_objects
from ecombridge.web.repository.sql import deal_time, prop_number, prop_text

RECENT_SALES = 20


def _object(alias: Any, portal_id: int, object_type: str, object_id: Any) -> Any:
    return sa.and_(
        alias.c.portal_id == portal_id,
        alias.c.object_type == object_type,
        alias.c.id == object_id,
        alias.c.archived.is_(False),
    )


def _line_link(alias: Any, portal_id: int, line: Any, to_type: str) -> Any:
    """The association from a line item to its deal or product."""
    return sa.and_(
        alias.c.portal_id == portal_id,
        alias.c.from_type == "LINE_ITEM",
        alias.c.from_id == line.c.id,
        alias.c.to_type == to_type,
    )


def deal_line_items(conn: Connection, portal_id: int, deal_id: int) -> list[Row[Any]]:
    """The deal's line items (id, properties) with their product (product_id, product)."""
    to_deal, to_product = associations.alias("to_deal"), associations.alias("to_product")
    line, product = crm_objects.alias("line"), crm_objects.alias("product")
    query = (
        sa.select(
            line.c.id,
            line.c.properties,
            product.c.id.label("product_id"),
            product.c.properties.label("product"),
        )
        .select_from(
            to_deal.join(line, _object(line, portal_id, "LINE_ITEM", to_deal.c.from_id))
            .outerjoin(to_product, _line_link(to_product, portal_id, line, "PRODUCT"))
            .outerjoin(product, _object(product, portal_id, "PRODUCT", to_product.c.to_id))
        )
        .where(
            to_deal.c.portal_id == portal_id,
            to_deal.c.to_type == "DEAL",
            to_deal.c.to_id == deal_id,
            to_deal.c.from_type == "LINE_ITEM",
        )
        .order_by(line.c.id)
    )
    return list(conn.execute(query))


def contact_deals(conn: Connection, portal_id: int, contact_id: int) -> list[Row[Any]]:
    """The contact's deals (id, properties, created_at), latest order first."""
    link, deal = associations.alias("link"), crm_objects.alias("deal")
    query = (
        sa.select(deal.c.id, deal.c.properties, deal.c.created_at)
        .select_from(link.join(deal, _object(deal, portal_id, "DEAL", link.c.from_id)))
        .where(
            link.c.portal_id == portal_id,
            link.c.to_type == "CONTACT",
            link.c.to_id == contact_id,
            link.c.from_type == "DEAL",
        )
        .order_by(deal_time(conn.dialect.name, deal).desc(), deal.c.id.desc())
    )
    return list(conn.execute(query))


def _product_lines(portal_id: int, product_id: int) -> tuple[Any, Any, Any, Any]:
    """The product's line items joined to their deals: (from clause, line, deal, where)."""
    to_product, to_deal = associations.alias("to_product"), associations.alias("to_deal")
    line, deal = crm_objects.alias("line"), crm_objects.alias("deal")
    joined = (
        to_product.join(line, _object(line, portal_id, "LINE_ITEM", to_product.c.from_id))
        .outerjoin(to_deal, _line_link(to_deal, portal_id, line, "DEAL"))
        .outerjoin(deal, _object(deal, portal_id, "DEAL", to_deal.c.to_id))
    )
    where = sa.and_(
        to_product.c.portal_id == portal_id,
        to_product.c.to_type == "PRODUCT",
        to_product.c.to_id == product_id,
        to_product.c.from_type == "LINE_ITEM",
    )
    return joined, line, deal, where


def product_sales(
    conn: Connection, portal_id: int, product_id: int, paid_stages: tuple[str, ...]
) -> tuple[Row[Any], list[Row[Any]]]:
    """Totals over the product's paid orders (orders, units, revenue) and its latest sales."""
    joined, line, deal, where = _product_lines(portal_id, product_id)
    dialect = conn.dialect.name
    quantity = sa.func.coalesce(prop_number(dialect, "quantity", line), 1)
    revenue = sa.func.coalesce(
        prop_number(dialect, "amount", line), prop_number(dialect, "price", line) * quantity
    )
    paid = prop_text("dealstage", deal).in_(paid_stages)
    totals = conn.execute(
        sa.select(
            sa.func.count(sa.distinct(deal.c.id)).label("orders"),
            sa.func.sum(quantity).label("units"),
            sa.func.sum(revenue).label("revenue"),
        )
        .select_from(joined)
        .where(where, paid)
    ).one()
    recent = conn.execute(
        sa.select(
            line.c.id,
            line.c.properties,
            deal.c.id.label("deal_id"),
            deal.c.properties.label("deal"),
        )
        .select_from(joined)
        .where(where)
        .order_by(deal.c.id.is_(None), deal_time(dialect, deal).desc(), line.c.id.desc())
        .limit(RECENT_SALES)
    )
    return totals, list(recent)
