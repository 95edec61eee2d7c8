"""Write turns: writers of separate processes (separate lock files handles here) take SQLite's
write lock one after the other, woken when the holder is done."""

from __future__ import annotations

import threading
from pathlib import Path

from ecombridge.db.engine import Database
from ecombridge.queue.write_turn import WriteTurn, turn_write, write_turn


def test_a_second_holder_waits_until_the_first_releases(tmp_path: Path) -> None:
    path = tmp_path / "bridge.db-writelock"
    first, second = WriteTurn(path), WriteTurn(path)  # two open files: as two processes
    order: list[str] = []
    second_waiting = threading.Event()

    def take_second() -> None:
        second_waiting.set()
        with second.held():
            order.append("second")

    with first.held():
        thread = threading.Thread(target=take_second)
        thread.start()
        second_waiting.wait()
        thread.join(timeout=0.2)  # still blocked on the lock: it cannot have run
        order.append("first")
    thread.join()

    assert order == ["first", "second"]
    first.close()
    second.close()


def test_sqlite_files_get_a_lock_file_next_to_them(db: Database) -> None:
    turn = write_turn(db)
    assert write_turn(db) is turn
    if db.is_sqlite:
        assert turn.path is not None and turn.path.name.endswith(".db-writelock")
    else:
        assert turn.path is None  # PostgreSQL orders its writers itself
    with turn_write(db) as conn:
        assert conn.exec_driver_sql("SELECT 1").scalar_one() == 1
