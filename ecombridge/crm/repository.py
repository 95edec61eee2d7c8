"""SQL for CRM object reads and searches. Filters compile to SQL over the JSON ``properties``
document (JSONB functions on PostgreSQL, JSON1 on SQLite): a portal's objects are never loaded
to be filtered in Python."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Row
from sqlalchemy.sql.elements import ColumnElement

from ecombridge.crm.catalog import stored_pair
from ecombridge.crm.query import Condition, PropertyRef, Search
from ecombridge.db import tables as t

o = t.crm_objects.c
a = t.associations.c
Expr = ColumnElement[Any]


class JsonProperties:
    """Expressions reading one property of ``crm_objects.properties`` on the connection's DB."""

    def __init__(self, conn: Connection) -> None:
        self.postgres = conn.dialect.name == "postgresql"

    def _type(self, name: str) -> Expr:
        if self.postgres:
            return sa.func.jsonb_typeof(sa.func.jsonb_extract_path(o.properties, name))
        return sa.func.json_type(o.properties, _path(name))

    def text(self, name: str) -> Expr:
        """The value as text (booleans as true/false); NULL when absent or null."""
        if self.postgres:
            return sa.func.jsonb_extract_path_text(o.properties, name)
        kind = self._type(name)
        raw = sa.cast(sa.func.json_extract(o.properties, _path(name)), sa.Text)
        return sa.case((kind == "true", "true"), (kind == "false", "false"), else_=raw)

    def number(self, name: str) -> Expr:
        """The value when it is a JSON number, else NULL (so a stray string never breaks SQL)."""
        if self.postgres:
            as_float = sa.cast(sa.func.jsonb_extract_path_text(o.properties, name), sa.Float)
            return sa.case((self._type(name) == "number", as_float), else_=sa.null())
        kind = self._type(name)
        value = sa.func.json_extract(o.properties, _path(name))
        return sa.case((kind.in_(("integer", "real")), value), else_=sa.null())

    def boolean(self, name: str) -> Expr:
        kind = self._type(name)
        if self.postgres:
            as_bool = sa.cast(sa.func.jsonb_extract_path_text(o.properties, name), sa.Boolean)
            return sa.case((kind == "boolean", as_bool), else_=sa.null())
        return sa.case((kind.in_(("true", "false")), kind == "true"), else_=sa.null())


def _path(name: str) -> str:
    return f'$."{name}"'


class Compiler:
    """Turns typed conditions and sorts into SQL expressions."""

    def __init__(self, conn: Connection) -> None:
        self.json = JsonProperties(conn)

    def value(self, prop: PropertyRef) -> Expr:
        """The comparable value: numeric for number/datetime, boolean, else lower-cased text."""
        if prop.source == "id":
            return o.id
        if prop.source == "updated":
            return o.updated_at
        if prop.source == "created":
            # A synced createdate (e.g. the order date) wins over the row's creation time.
            return sa.func.coalesce(self.json.number("createdate"), o.created_at)
        if prop.kind in ("number", "datetime"):
            return self.json.number(prop.name)
        if prop.kind == "bool":
            return self.json.boolean(prop.name)
        return sa.func.lower(self.json.text(prop.name))

    def text(self, prop: PropertyRef) -> Expr:
        if prop.source != "properties":
            return sa.cast(self.value(prop), sa.String)
        return sa.func.lower(self.json.text(prop.name))

    def condition(self, c: Condition) -> Expr:
        op = c.operator
        if c.prop.source == "association":
            return _association(c)
        if op in ("HAS_PROPERTY", "NOT_HAS_PROPERTY"):
            text = self.text(c.prop)
            present = sa.and_(text.is_not(None), text != "")
            return present if op == "HAS_PROPERTY" else sa.not_(present)
        if op in ("CONTAINS_TOKEN", "NOT_CONTAINS_TOKEN"):
            matched = _token_match(self.text(c.prop), c.values[0])
            if op == "CONTAINS_TOKEN":
                return matched
            return sa.or_(self.text(c.prop).is_(None), sa.not_(matched))
        value = self.value(c.prop)
        if op == "EQ":
            equal: Expr = value == c.values[0]
            return equal
        if op == "NEQ":
            return sa.or_(value.is_(None), value != c.values[0])
        if op == "IN":
            return value.in_(c.values)
        if op == "NOT_IN":
            return sa.or_(value.is_(None), value.not_in(c.values))
        if op == "BETWEEN":
            return value.between(c.values[0], c.values[1])
        comparisons: dict[str, Expr] = {"LT": value < c.values[0], "LTE": value <= c.values[0]}
        comparisons |= {"GT": value > c.values[0], "GTE": value >= c.values[0]}
        return comparisons[op]

    def where(self, search: Search) -> list[Expr]:
        clauses: list[Expr] = [
            o.portal_id == search.portal_id,
            o.object_type == search.object_type,
            o.archived.is_(False),
        ]
        if search.groups:
            clauses.append(
                sa.or_(*(sa.and_(*(self.condition(c) for c in group)) for group in search.groups))
            )
        if search.text_query:
            pattern = f"%{_escape_like(search.text_query.lower())}%"
            clauses.append(
                sa.or_(
                    *(self.text(p).like(pattern, escape="\\") for p in search.searchable),
                    sa.cast(o.id, sa.String) == search.text_query,
                )
            )
        return clauses


def _association(c: Condition) -> Expr:
    """Whether the object searched is associated with the ids (or any object) of the pair's
    other type; the pair is stored from the child's side, so either column may be this one."""
    this, other = c.prop.pair
    child, parent = stored_pair(this, other) or (this, other)
    mine, theirs = (a.from_id, a.to_id) if this == child else (a.to_id, a.from_id)
    linked = sa.select(sa.literal(1)).where(
        a.portal_id == o.portal_id, a.from_type == child, a.to_type == parent, mine == o.id
    )
    op = c.operator
    if op in ("EQ", "NEQ"):
        linked = linked.where(theirs == c.values[0])
    elif op in ("IN", "NOT_IN"):
        linked = linked.where(theirs.in_(c.values))
    found: Expr = linked.exists()
    return found if op in ("EQ", "IN", "HAS_PROPERTY") else sa.not_(found)


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _token_match(text: Expr, token: str) -> Expr:
    """A whitespace-separated token of the value matches ``token`` (``*`` matches anything)."""
    core = _escape_like(token).replace("*", "%")
    patterns = (core, f"{core} %", f"% {core}", f"% {core} %")
    return sa.or_(*(text.like(p, escape="\\") for p in patterns))


def search(conn: Connection, search: Search) -> tuple[int, list[Row[Any]]]:
    """The total and one page (plus one row when more remain) of a search."""
    compiler = Compiler(conn)
    where = compiler.where(search)
    total = conn.execute(sa.select(sa.func.count()).select_from(t.crm_objects).where(*where))
    order: list[Any] = []
    for sort in search.sorts:
        value = compiler.value(sort.prop)
        order.append(value.desc().nulls_last() if sort.descending else value.asc().nulls_last())
    order.append(o.id)
    page = conn.execute(
        sa.select(t.crm_objects)
        .where(*where)
        .order_by(*order)
        .offset(search.offset)
        .limit(search.limit + 1)
    ).all()
    return int(total.scalar_one()), list(page)


def list_page(
    conn: Connection,
    portal_id: int,
    object_type: str,
    archived: bool,
    after_id: int | None,
    limit: int,
) -> list[Row[Any]]:
    """Objects in id order after ``after_id`` (plus one row when more remain)."""
    stmt = sa.select(t.crm_objects).where(
        o.portal_id == portal_id, o.object_type == object_type, o.archived.is_(archived)
    )
    if after_id is not None:
        stmt = stmt.where(o.id > after_id)
    return list(conn.execute(stmt.order_by(o.id).limit(limit + 1)).all())


def get_object(
    conn: Connection, portal_id: int, object_type: str, object_id: int, archived: bool
) -> Row[Any] | None:
    return conn.execute(
        sa.select(t.crm_objects).where(
            o.portal_id == portal_id,
            o.object_type == object_type,
            o.id == object_id,
            o.archived.is_(archived),
        )
    ).first()


def objects_by_ids(
    conn: Connection,
    portal_id: int,
    object_type: str,
    ids: list[int],
    archived: bool | None = None,
) -> dict[int, Row[Any]]:
    """The objects among ``ids`` (only archived or only live ones unless ``archived`` is None)."""
    if not ids:
        return {}
    stmt = sa.select(t.crm_objects).where(
        o.portal_id == portal_id, o.object_type == object_type, o.id.in_(sorted(set(ids)))
    )
    if archived is not None:
        stmt = stmt.where(o.archived.is_(archived))
    return {row.id: row for row in conn.execute(stmt)}


def associated_ids(
    conn: Connection,
    portal_id: int,
    from_type: str,
    from_ids: list[int],
    to_type: str,
    after_id: int | None = None,
    limit: int | None = None,
) -> list[tuple[int, int]]:
    """(from id, to id) pairs, whichever side the pair is stored from, ordered by both ids."""
    forward = sa.select(a.from_id.label("source"), a.to_id.label("target")).where(
        a.portal_id == portal_id,
        a.from_type == from_type,
        a.to_type == to_type,
        a.from_id.in_(from_ids),
    )
    reverse = sa.select(a.to_id.label("source"), a.from_id.label("target")).where(
        a.portal_id == portal_id,
        a.to_type == from_type,
        a.from_type == to_type,
        a.to_id.in_(from_ids),
    )
    both = sa.union(forward, reverse).subquery()
    stmt = sa.select(both.c.source, both.c.target)
    if after_id is not None:
        stmt = stmt.where(both.c.target > after_id)
    stmt = stmt.order_by(both.c.source, both.c.target)
    if limit is not None:
        stmt = stmt.limit(limit)
    return [(int(s), int(g)) for s, g in conn.execute(stmt).all()]
