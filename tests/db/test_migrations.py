"""The Alembic chain builds exactly the schema the tables module describes, both ways."""

from __future__ import annotations

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from ecombridge.db import migrate
from ecombridge.db.engine import make_engine
from ecombridge.db.tables import metadata


def _differences(url: str) -> list[object]:
    engine = make_engine(url, pool_size=1)
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, metadata)
    engine.dispose()
    return list(diff)


def _tables(url: str) -> set[str]:
    engine = make_engine(url, pool_size=1)
    names = set(sa.inspect(engine).get_table_names()) - {"alembic_version"}
    engine.dispose()
    return names


def test_migrations_match_the_tables_module(database_url: str) -> None:
    assert _differences(database_url) == []


def test_migrating_down_and_up_again_gives_the_same_schema(database_url: str) -> None:
    migrate.downgrade(database_url, "base")
    assert _tables(database_url) == set()
    migrate.upgrade(database_url)
    assert _tables(database_url) == set(metadata.tables)
    assert _differences(database_url) == []
