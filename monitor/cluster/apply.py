"""The coordinator's side of the outcome stream: apply messages to the store, exactly once in effect.

Messages are applied in one SQLite transaction per batch and acknowledged (XACK) only after it
commits, so a coordinator killed in between re-reads them; a job handed out twice (its worker died)
sends its items twice. Both are harmless because:
- a job's run row is created once: the `cluster_jobs` table maps the job id to its run, and a job
  already finished ignores later messages (the run is recorded once);
- within a job, one outcome per URL is applied and repeats are skipped (`cluster_job_items`): a
  retaken job's second attempt sends the same items again, and applying them would count each
  failure twice towards a notice's removal, and a run's items, new/unchanged and failure counters
  twice. A fetched notice is applied once; a failed fetch only if nothing about its URL was applied
  yet (a success after a failure still counts: the first attempt's error was real, and the notice
  must not be lost); a list page once;
- a notice already stored with the same text writes no version anyway (monitor.store: unchanged).
The run's pages, requests and stats are the attempt that finished (its `end` message); the run's
problems say how many attempts it took.
`cluster_jobs` and `cluster_job_items` live in the store's file and are written only here (the
coordinator is the only writer); a finished job's item keys are deleted with its end.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from crawler.items import DetailFailure, ListingItem, NoticeItem
from monitor.cluster.protocol import Outcome
from monitor.config.loader import Config
from monitor.store.db import Store

logger = logging.getLogger(__name__)

JOBS_TABLE = "cluster_jobs"
ITEMS_TABLE = "cluster_job_items"
META_TABLE = "cluster_meta"  # key -> value: the coordinator's own notes (e.g. an unfinished --once batch)


def ensure_jobs_table(store: Store) -> None:
    store.db.execute(
        f"create table if not exists {JOBS_TABLE} (job_id text primary key, source_id text not null, "
        "run_id integer, worker text, attempts integer not null default 0, finished_at text)"
    )
    store.db.execute(f"create table if not exists {ITEMS_TABLE} (job_id text not null, item text not null, "
                     "primary key (job_id, item)) without rowid")
    store.db.execute(f"create table if not exists {META_TABLE} (key text primary key, value text)")


def item_keys(item: Any) -> tuple[str, ...]:
    """What applying a message marks as done within its job; the first key decides whether it is
    applied (a failure is skipped once anything about its URL was, a notice only after a notice)."""
    if isinstance(item, NoticeItem):
        return ("ok:" + item.url, "url:" + item.url)
    if isinstance(item, DetailFailure):
        return ("url:" + item.url,)
    if isinstance(item, ListingItem):
        return ("list:" + item.list_url,)
    return ()


class OutcomeApplier:
    def __init__(self, store: Store, config: Config):
        self.store = store
        self.sources = {s.id: s for s in config.sources}
        ensure_jobs_table(store)

    def apply(self, outcomes: Iterable[Outcome]) -> list[str]:
        """Apply a batch in one transaction; returns the outcome of each message (for logs, tests)."""
        conn = self.store.db.conn
        results: list[str] = []
        conn.execute("BEGIN IMMEDIATE")
        try:
            for outcome in outcomes:
                conn.execute("SAVEPOINT message")
                try:
                    results.append(self._apply(outcome))
                except Exception:  # noqa: BLE001 - one bad message must not block the stream
                    conn.execute("ROLLBACK TO message")
                    logger.exception("could not apply %s of job %s", outcome.kind, outcome.job_id)
                    results.append("error")
                conn.execute("RELEASE message")
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        return results

    def _job(self, job_id: str) -> dict[str, Any] | None:
        rows = list(self.store.db.query(f"select * from {JOBS_TABLE} where job_id = ?", [job_id]))
        return rows[0] if rows else None

    def _apply(self, outcome: Outcome) -> str:
        job = self._job(outcome.job_id)
        if job and job["finished_at"]:
            return "duplicate"  # a retaken job's late messages: the run is already recorded
        if outcome.kind == "start":
            return self._start(outcome, job)
        if outcome.kind == "dropped" and job is None:  # never started: no run to record
            logger.warning("job %s dropped by worker %s: %s", outcome.job_id, outcome.worker, outcome.data)
            self.store.db.execute(f"insert into {JOBS_TABLE} (job_id, source_id, worker, finished_at) "
                                  "values (?, ?, ?, datetime('now'))", [outcome.job_id, outcome.source_id, outcome.worker])
            return "dropped"
        if job is None:
            return "orphan"  # never seen its start (cannot happen: a stream keeps order per job)
        if outcome.kind == "item":
            if not self._first(outcome.job_id, outcome.data):
                return "repeated"  # sent again by a retaken job's later attempt
            return self._item(outcome.data, job["run_id"])
        if outcome.kind == "end":
            return self._end(outcome, job)
        return "unknown"

    def _start(self, outcome: Outcome, job: dict[str, Any] | None) -> str:
        if job is not None:  # taken again after its first worker died: same run
            self.store.db.execute(f"update {JOBS_TABLE} set attempts = attempts + 1, worker = ? where job_id = ?",
                                  [outcome.worker, outcome.job_id])
            return "retaken"
        source = self.sources.get(outcome.source_id)
        if source is not None:
            self.store.sync_source(source.id, source.name or source.id, source.kind, source.start_urls)
        run_id = self.store.start_run(outcome.source_id, mode=str(outcome.data or "incremental"))
        self.store.db.execute(
            f"insert into {JOBS_TABLE} (job_id, source_id, run_id, worker, attempts) values (?, ?, ?, ?, 1)",
            [outcome.job_id, outcome.source_id, run_id, outcome.worker])
        return "started"

    def _first(self, job_id: str, item: Any) -> bool:
        keys = item_keys(item)
        if not keys:
            return True
        first = self.store.db.execute(f"insert or ignore into {ITEMS_TABLE} (job_id, item) values (?, ?)",
                                      [job_id, keys[0]]).rowcount == 1
        for key in keys[1:] if first else ():
            self.store.db.execute(f"insert or ignore into {ITEMS_TABLE} (job_id, item) values (?, ?)", [job_id, key])
        return first

    def _finished(self, job_id: str) -> None:
        self.store.db.execute(f"update {JOBS_TABLE} set finished_at = datetime('now') where job_id = ?", [job_id])
        self.store.db.execute(f"delete from {ITEMS_TABLE} where job_id = ?", [job_id])

    def _item(self, item: Any, run_id: int) -> str:
        if isinstance(item, NoticeItem):
            return self.store.save_item(item, run_id)
        if isinstance(item, DetailFailure):
            return self.store.record_failure(item, run_id)
        if isinstance(item, ListingItem):
            self.store.record_listing(item)
            return "listing"
        return "ignored"

    def _end(self, outcome: Outcome, job: dict[str, Any]) -> str:
        end = outcome.data
        problems = list(end["problems"])
        if job["attempts"] > 1:
            problems.append(f"cluster: crawled {job['attempts']} times (a worker stopped mid-crawl)")
        self.store.finish_run(job["run_id"], end["status"], end["pages"], problems, end["stats"],
                              requests=end["requests"])
        self._finished(outcome.job_id)
        return "finished"

    def close_lost(self, job_id: str, source_id: str, problem: str) -> None:
        """A job that ended without its `end` message: its run (if it started) recorded as failed, once."""
        with self.store._write():
            job = self._job(job_id)
            if job and job["finished_at"]:
                return
            if job and job["run_id"]:
                self.store.finish_run(job["run_id"], "failed", 0, [problem], {})
                self._finished(job_id)
            else:
                self.store.db.execute(f"insert into {JOBS_TABLE} (job_id, source_id, finished_at) "
                                      "values (?, ?, datetime('now'))", [job_id, source_id])
