"""The (portal, email) index holds contacts only, keeps their emails unique, and still serves
the apply's lookup of contacts by email."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from ecombridge.db.engine import Database
from ecombridge.db.tables import crm_objects


def _object(object_type: str, object_id: int, email_key: str | None) -> dict[str, object]:
    return {
        "portal_id": 1,
        "object_type": object_type,
        "id": object_id,
        "properties": {},
        "email_key": email_key,
        "created_at": 0,
        "updated_at": 0,
    }


def index_definition(db: Database) -> str:
    with db.read() as conn:
        if db.is_sqlite:
            query = "SELECT sql FROM sqlite_master WHERE name = 'ix_crm_objects_email'"
        else:
            query = "SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_crm_objects_email'"
        return str(conn.exec_driver_sql(query).scalar_one())


def test_only_contacts_are_in_the_index_and_emails_stay_unique(db: Database) -> None:
    with db.write() as conn:
        conn.execute(crm_objects.insert(), [_object("DEAL", i, None) for i in range(1, 4)])
        conn.execute(crm_objects.insert(), [_object("CONTACT", 10, "ann@shop.example")])
    with pytest.raises(IntegrityError), db.write() as conn:
        conn.execute(crm_objects.insert(), [_object("CONTACT", 11, "ann@shop.example")])
    definition = index_definition(db).replace("(", "").replace(")", "")
    assert definition.endswith("WHERE email_key IS NOT NULL")


def test_the_lookup_by_email_uses_the_index(db: Database) -> None:
    o = crm_objects.c
    query = sa.select(o.id).where(o.portal_id == 1, o.email_key.in_(["a@x.example", "b@x.example"]))
    with db.read() as conn:
        sql = str(query.compile(conn, compile_kwargs={"literal_binds": True}))
        if db.is_sqlite:
            plan = " ".join(str(r[-1]) for r in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + sql))
        else:
            conn.exec_driver_sql("SET LOCAL enable_seqscan = off")
            plan = " ".join(str(r[0]) for r in conn.exec_driver_sql("EXPLAIN " + sql))
    assert "ix_crm_objects_email" in plan
