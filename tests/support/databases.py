"""Migrated test databases for both backends."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa

from ecombridge.db import migrate
from ecombridge.db.engine import normalise_url
from ecombridge.db.tables import metadata

PG_ENV = "ECOMBRIDGE_TEST_DATABASE_URL"
BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param(
        "postgresql",
        id="pg",
        marks=pytest.mark.skipif(not os.environ.get(PG_ENV), reason=f"{PG_ENV} is not set"),
    ),
]


def _pg_database_for_worker(base_url: str, worker_id: str) -> str:
    """Each xdist worker gets its own PostgreSQL database next to the configured one."""
    url = sa.make_url(normalise_url(base_url))
    name = f"{url.database}_{worker_id}" if worker_id != "master" else str(url.database)
    admin = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


class TestDatabases:
    __test__ = False

    def __init__(self, root: Path, worker_id: str) -> None:
        self.root = root
        self.worker_id = worker_id
        self._sqlite_template: Path | None = None
        self._pg_url: str | None = None
        self._pg_engine: sa.Engine | None = None

    def fresh(self, backend: str, tmp: Path) -> str:
        if backend == "sqlite":
            return self._fresh_sqlite(tmp)
        return self._fresh_postgresql()

    def _fresh_sqlite(self, tmp: Path) -> str:
        if self._sqlite_template is None:
            template = self.root / "template.db"
            migrate.upgrade(f"sqlite:///{template}")
            self._sqlite_template = template
        target = tmp / "bridge.db"
        shutil.copyfile(self._sqlite_template, target)
        return f"sqlite:///{target}"

    def _fresh_postgresql(self) -> str:
        if self._pg_url is None:
            self._pg_url = _pg_database_for_worker(os.environ[PG_ENV], self.worker_id)
            migrate.upgrade(self._pg_url)
            self._pg_engine = sa.create_engine(normalise_url(self._pg_url))
        assert self._pg_engine is not None
        names = ", ".join(f'"{t.name}"' for t in metadata.sorted_tables)
        with self._pg_engine.begin() as conn:
            conn.exec_driver_sql(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
        return self._pg_url

    def close(self) -> None:
        if self._pg_engine is not None:
            self._pg_engine.dispose()
