"""Group commit for the intake (``ecombridge.queue.group_commit``): the batches of concurrent
requests share one write transaction, and each request gets its 204 only after its batch is
durable.

On SQLite the batches are filed in the inbox file (``ecombridge.db.inbox``), so the intake's
commits never wait for the apply's; elsewhere in ``sync_batches`` with their jobs.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import Future
from dataclasses import dataclass

from sqlalchemy.engine import Connection

from ecombridge.db import inbox as inbox_db
from ecombridge.db.engine import Database
from ecombridge.db.per_database import PerDatabase
from ecombridge.errors import BridgeError
from ecombridge.queue.group_commit import GroupCommitWriter
from ecombridge.queue.notify import wake
from ecombridge.queue.write_turn import turn_write
from ecombridge.sync import service
from ecombridge.sync.messages import BatchContext, Message


@dataclass(frozen=True)
class Submission:
    ctx: BatchContext  # store_id as sent; resolved in the transaction when ``resolve``
    messages: list[Message]
    received_at: int
    resolve: bool


class IntakeWriter(GroupCommitWriter[Submission, None]):
    thread_name = "intake-writer"  # groups of up to 64 batches (12,800 messages)
    # Why the last write failed, until one succeeds again (``/readyz`` reports it).
    last_failure: str | None = None

    def write_group(self, group: list[tuple[Submission, Future[None]]]) -> None:
        refused: dict[int, BridgeError] = {}
        try:
            inbox = self.db.inbox
            if inbox is None:
                with turn_write(self.db) as conn:
                    for _position, ctx, sub in self._resolved(conn, group, refused):
                        service.accept_batch(conn, ctx, sub.messages, sub.received_at)
            else:
                # Stores are read from the main database; the batches go to the inbox, whose
                # commit never waits for the main database's writers.
                with self.db.read() as conn:
                    accepted = list(self._resolved(conn, group, refused))
                with turn_write(inbox.database) as iconn:
                    inbox_db.insert_batches(
                        iconn,
                        [
                            service.inbox_row(ctx, s.messages, s.received_at)
                            for _, ctx, s in accepted
                        ],
                    )
        except BaseException as exc:
            self.last_failure = f"{type(exc).__name__}: {exc}"[:500]
            for _sub, future in group:
                future.set_exception(exc)
            return
        self.last_failure = None
        wake(self.db)
        for position, (_sub, future) in enumerate(group):
            error = refused.get(position)
            if error is None:
                future.set_result(None)
            else:
                future.set_exception(error)

    @staticmethod
    def _resolved(
        conn: Connection,
        group: list[tuple[Submission, Future[None]]],
        refused: dict[int, BridgeError],
    ) -> Iterator[tuple[int, BatchContext, Submission]]:
        """The submissions with the store each is filed under; a request naming a store that
        does not resolve is refused (its own mistake only), in ``refused``."""
        for position, (sub, _future) in enumerate(group):
            ctx = sub.ctx
            if sub.resolve:
                try:
                    store_id = service.resolve_store(
                        conn, ctx.portal_id, ctx.source_app_id, ctx.store_id
                    )
                except BridgeError as exc:
                    refused[position] = exc
                    continue
                ctx = BatchContext(ctx.portal_id, ctx.source_app_id, store_id, ctx.object_type)
            yield position, ctx, sub


_writers = PerDatabase(IntakeWriter)


def writer_for(db: Database) -> IntakeWriter:
    return _writers.get(db)


def submit(db: Database, submission: Submission) -> Future[None]:
    return writer_for(db).submit(submission)
