"""The raw SQLite baseline: ``INSERT ... ON CONFLICT DO UPDATE`` of the same rows the bridge
ends up writing, one transaction per 200-row batch, with the bridge's durability settings
(WAL, synchronous=FULL). The bridge's applied rate is reported as a ratio of this rate,
measured in the same run on the same machine, so the figure does not depend on the machine."""

from __future__ import annotations

import json
import sqlite3
import time
from pathlib import Path

from ecombridge.bench.generator import Store


def raw_upsert_rate(store: Store, directory: Path, synchronous: str = "FULL") -> float:
    """Messages per second upserted as plain rows; every message is one upsert."""
    path = directory / "baseline.db"
    path.unlink(missing_ok=True)
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute(f"PRAGMA synchronous={synchronous}")
    conn.execute(
        "CREATE TABLE objects (portal_id INTEGER, object_type TEXT, external_id TEXT, "
        "changed_at INTEGER, properties TEXT, PRIMARY KEY (portal_id, object_type, external_id))"
    )
    batches = [
        (
            object_type,
            [
                (1, object_type, m["externalObjectId"], m["changedAt"], json.dumps(m["properties"]))
                for m in messages
            ],
        )
        for object_type, messages in store.batches()
    ]
    statement = (
        "INSERT INTO objects VALUES (?, ?, ?, ?, ?) "
        "ON CONFLICT (portal_id, object_type, external_id) DO UPDATE SET "
        "properties = excluded.properties, changed_at = excluded.changed_at "
        "WHERE excluded.changed_at > objects.changed_at"
    )
    started = time.perf_counter()
    for _object_type, rows in batches:
        conn.execute("BEGIN IMMEDIATE")
        conn.executemany(statement, rows)
        conn.execute("COMMIT")
    elapsed = time.perf_counter() - started
    conn.close()
    return store.message_count / elapsed
