"""Statements each bridge process sends its database, for the benchmarks' round-trip counts.

The benchmark sets ``ECOMBRIDGE_BENCH_STATEMENTS_DIR`` for the processes it starts; their
engines then count every statement executed through SQLAlchemy (an ``executemany`` counts once,
with its rows counted apart: psycopg pipelines it, SQLite runs it in one call) and a thread
writes the counts of the process to ``<dir>/<pid>.json`` every second (processes may be stopped
without running exit handlers). A ``COPY`` through the driver's own cursor is not counted.
"""

from __future__ import annotations

import json
import os
import threading
import time
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine

ENV = "ECOMBRIDGE_BENCH_STATEMENTS_DIR"

_counts = {"statements": 0, "executemany_rows": 0}
_lock = threading.Lock()
_writer: threading.Thread | None = None
_stopped = False


def install_if_asked(engine: Engine) -> None:
    directory = os.environ.get(ENV)
    if not directory:
        return
    event.listen(engine, "before_cursor_execute", _count)
    _start_writer(Path(directory))


def _count(
    _conn: Any, _cursor: Any, _statement: str, parameters: Any, _context: Any, executemany: bool
) -> None:
    with _lock:
        _counts["statements"] += 1
        if executemany:
            _counts["executemany_rows"] += len(parameters)


def _start_writer(directory: Path) -> None:
    global _writer
    with _lock:
        if _writer is not None:
            return
        _writer = threading.Thread(target=_write, args=(directory,), name="statement-count")
        _writer.daemon = True
        _writer.start()


def _write(directory: Path) -> None:
    path = directory / f"{os.getpid()}.json"
    while True:
        time.sleep(1.0)
        with _lock:  # held while writing, so ``stop`` returns once no write is under way
            if _stopped:
                return
            temporary = path.with_suffix(".tmp")
            try:
                temporary.write_text(json.dumps(_counts))
                temporary.replace(path)
            except OSError:  # the benchmark is over and took its directory away
                return


def stop() -> None:
    """No more writes from this process (the benchmark's own, before it removes the directory)."""
    global _stopped
    with _lock:
        _stopped = True


def read(directory: Path, pids: dict[str, int]) -> dict[str, dict[str, int]]:
    """The last counts written by each named process (those that wrote any)."""
    found: dict[str, dict[str, int]] = {}
    for name, pid in pids.items():
        path = directory / f"{pid}.json"
        if path.exists():
            found[name] = json.loads(path.read_text())
    return found
