"""A crawl's writes on their own thread, committed in groups.

The crawl's reactor thread hands each item over and goes on downloading; this thread saves items
in arrival order, one SQLite transaction for whatever has queued up within LINGER of the first
(group commit: one item when the crawl is slow, up to MAX_BATCH when it is fast); when an item
fails, the batch is written again one savepoint per item, so the bad one is logged and skipped
without undoing the others (StoreWriter._write). SQLite runs without
the GIL, so most of a save overlaps the next download. Items still queued when the process is killed were never committed;
the next crawl fetches them again (bench/crash_trials.py).
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from typing import Any

from crawler.cpu import run_as_batch_work
from crawler.items import DetailFailure, ListingItem, NoticeItem
from monitor.store.db import Store

logger = logging.getLogger(__name__)

MAX_BATCH = 100  # items per transaction at most: other writers wait no longer than one batch
# After the first item of a batch, wait this long for more: a fast crawl then commits dozens of
# items at once instead of one or two (SQLite work per item -40 %: each commit flushes a new
# segment of the search index; and the thread wakes once per batch, not per item). 0.5 s fills
# MAX_BATCH on a fast crawl (bench/crawl_bench.py: ~170 pages/s): batches of 100 cost ~0.1 ms of
# CPU a notice less than the ~17 that 0.1 s gave (bench/writer_bench.py). A killed process
# loses at most this much more than it would anyway (the next crawl fetches it again).
LINGER = 0.5
_STOP = object()


class StoreWriter:
    def __init__(self, store: Store, run_id: int | None, on_written: Callable[[list[str]], None],
                 linger: float = LINGER):
        """`on_written(outcomes)` is called from this thread after each transaction, with the
        outcomes of its items (new, changed, …; none for items that failed)."""
        self.store = store
        self.run_id = run_id
        self.on_written = on_written
        self.linger = linger
        self._closing = threading.Event()  # set by close(): no lingering for a batch that will not grow
        self.errors = 0
        self._queue: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name="noticewatch-store-writer", daemon=True)
        self._thread.start()

    def put(self, item: Any) -> None:
        self._queue.put(item)

    def close(self) -> None:
        """Write everything queued, then stop (blocks until done)."""
        self._closing.set()
        self._queue.put(_STOP)
        self._thread.join()

    def _run(self) -> None:
        run_as_batch_work()  # its wake-ups must not preempt the reactor (crawler/cpu.py)
        stopping = False
        while not stopping:
            batch = [self._queue.get()]
            if self.linger and batch[0] is not _STOP:
                self._closing.wait(self.linger)
            while len(batch) < MAX_BATCH and batch[-1] is not _STOP:
                try:
                    batch.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            if _STOP in batch:
                stopping = True
                batch = batch[: batch.index(_STOP)]
            if batch:
                self._write(batch)

    def _write(self, batch: list[Any]) -> None:
        """One transaction for the batch. Tried first without a savepoint per item: a savepoint
        makes FTS5 flush its pending search-index terms (one index segment per notice, a quarter of
        the writer's CPU: bench/writer_bench.py); only when an item fails is the batch written again
        item by item in savepoints, so that the bad one is skipped and the others kept."""
        conn = self.store.db.conn
        try:
            outcomes = self._in_transaction(conn, lambda: self._save_all(batch))
            if outcomes is None:  # an item failed: undone with the rest; again, one savepoint each
                outcomes = self._in_transaction(conn, lambda: self._save_each(conn, batch)) or []
        except Exception:  # noqa: BLE001 - the database itself failed (disk full, locked for 30 s)
            self.errors += len(batch)
            logger.exception("could not store %d item(s) of run %s", len(batch), self.run_id)
            outcomes = []
        self.on_written(outcomes)

    @staticmethod
    def _in_transaction(conn: Any, work: Callable[[], list[str] | None]) -> list[str] | None:
        """`work()` in BEGIN IMMEDIATE … COMMIT; rolled back when it raises or returns None."""
        conn.execute("BEGIN IMMEDIATE")
        try:
            outcomes = work()
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT" if outcomes is not None else "ROLLBACK")
        return outcomes

    def _save_all(self, batch: list[Any]) -> list[str] | None:
        """Every item's outcome, or None at the first item that raises (nothing logged yet)."""
        outcomes: list[str] = []
        for item in batch:
            try:
                outcome = self._save(item)
            except Exception:  # noqa: BLE001 - told apart and logged by _save_each
                return None
            if outcome:
                outcomes.append(outcome)
        return outcomes

    def _save_each(self, conn: Any, batch: list[Any]) -> list[str]:
        """Each item in its own savepoint: one bad item is logged and skipped, not the others."""
        outcomes: list[str] = []
        for item in batch:
            conn.execute("SAVEPOINT item")
            try:
                outcome = self._save(item)
            except Exception:  # noqa: BLE001 - one bad item must not undo the others
                conn.execute("ROLLBACK TO item")
                self.errors += 1
                logger.exception("could not store %s", getattr(item, "url", item))
                outcome = None
            conn.execute("RELEASE item")
            if outcome:
                outcomes.append(outcome)
        return outcomes

    def _save(self, item: Any) -> str | None:
        if isinstance(item, NoticeItem):
            return self.store.save_item(item, self.run_id)
        if isinstance(item, DetailFailure):
            return self.store.record_failure(item, self.run_id)
        if isinstance(item, ListingItem):
            self.store.record_listing(item)
        return None
