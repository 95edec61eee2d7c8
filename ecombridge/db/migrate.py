"""Running the Alembic chain programmatically (``ecombridge db upgrade``, ``serve`` and tests)."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config as AlembicConfig
from alembic.runtime.migration import MigrationContext

from ecombridge.db import analyze
from ecombridge.db.engine import normalise_url

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def alembic_config(database_url: str) -> AlembicConfig:
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", normalise_url(database_url).replace("%", "%%"))
    return cfg


def upgrade(database_url: str, revision: str = "head") -> None:
    """Migrate; on PostgreSQL, gather planner statistics when a migration ran."""
    cfg = alembic_config(database_url)
    before = _current(cfg)
    command.upgrade(cfg, revision)
    if _current(cfg) != before:
        engine = sa.create_engine(cfg.get_main_option("sqlalchemy.url") or "")
        try:
            analyze.analyze(engine)
        finally:
            engine.dispose()


def _current(cfg: AlembicConfig) -> str | None:
    """The database's revision (None: not migrated yet, or not reachable)."""
    engine = sa.create_engine(cfg.get_main_option("sqlalchemy.url") or "")
    try:
        with engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    except sa.exc.OperationalError:
        return None
    finally:
        engine.dispose()


def downgrade(database_url: str, revision: str) -> None:
    command.downgrade(alembic_config(database_url), revision)
