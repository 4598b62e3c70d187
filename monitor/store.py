"""The store: one SQLite file (WAL) through sqlite-utils. Current state, versions, runs, events.

Every write that spans rows (a notice and its version and its event) is one `db.atomic()`
transaction, so a crash between statements cannot leave a notice without its version.
What counts as a change is decided by `monitor.changes` (pure); this module only records it.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from crawler.items import DetailFailure, ListingItem, NoticeItem
from crawler.notice import NOTICE_FIELDS, Notice
from monitor import search
from monitor.changes import NoticeChange, compare_notices, identity_key
from monitor.schema import migrations
from monitor.window import window_status

RUN_COUNTERS = ("items", "new", "changed", "unchanged", "removed", "restored", "moved", "failures")
# Failures that are evidence the notice is gone. Server errors and timeouts are the source's
# trouble, not the notice's: they are recorded but never lead to a removal.
COUNTED_FAILURES = frozenset({"gone", "redirected", "blocked"})


class StoreError(RuntimeError):
    """The database cannot be opened or used; one line naming the file and what to do."""


def utcnow() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass(frozen=True)
class StoredNotice:
    id: int
    notice: Notice
    status: str  # active | removed
    first_seen: str
    last_seen: str
    version_count: int
    consecutive_failures: int = 0


@dataclass(frozen=True)
class Version:
    version: int
    fetched_at: str
    raw_sha256: str
    content_hash: str
    notice: Notice


@dataclass(frozen=True)
class Event:
    id: int
    kind: str  # new | changed | removed | restored | moved
    notice_id: int
    source_id: str
    url: str
    detected_at: str
    summary: str
    changes: tuple[dict[str, Any], ...]
    diff: str
    window_open: bool


@dataclass(frozen=True)
class RecheckPolicy:
    """Which stored notices a re-check visits (see Store.recheck_candidates)."""

    recent_days: int = 30
    stale_days: int = 7
    everything: bool = False


@dataclass(frozen=True)
class Known:
    """What a re-check needs to know of a stored notice."""

    id: int
    url: str
    source_id: str
    etag: str | None
    last_modified: str | None


class Store:
    def __init__(self, path: str | Path, removal_after: int = 3, check_same_thread: bool = True):
        self.path = Path(path)
        self.removal_after = removal_after
        if self.path.is_dir():
            raise StoreError(f"{self.path}: is a directory, not a database file (pass --db FILE)")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            conn = sqlite3.connect(str(self.path), timeout=30, isolation_level=None,
                                   check_same_thread=check_same_thread)
            self.db = Database(conn)
            self.db.execute("PRAGMA busy_timeout = 30000")
            self.db.enable_wal()
            # WAL + NORMAL: a commit survives a killed process (bench/crash_trials.py); only a power
            # loss can drop the last commits. FULL costs an fsync (~4 ms) per notice.
            self.db.execute("PRAGMA synchronous = NORMAL")
            self.db.execute("PRAGMA foreign_keys = ON")
            migrations.apply(self.db)
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.path}: not a usable noticewatch database ({exc})") from None

    def close(self) -> None:
        self.db.close()

    @contextmanager
    def _write(self) -> Iterator[None]:
        """A write transaction taken with BEGIN IMMEDIATE: the read-then-write below (is this URL
        known? then insert) cannot interleave with another process's, and a busy database waits
        (busy_timeout) instead of failing half-way. Nested use rides on the outer transaction."""
        if self.db.conn.in_transaction:
            yield
            return
        self.db.conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self.db.conn.execute("ROLLBACK")
            raise
        self.db.conn.execute("COMMIT")

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- sources and runs ---------------------------------------------------------------------
    def sync_source(self, source_id: str, name: str, kind: str, start_urls: Iterable[str]) -> None:
        now = utcnow()
        existing = self._one("select first_seen from sources where id = ?", [source_id])
        record = {"id": source_id, "name": name, "kind": kind, "start_urls": json.dumps(list(start_urls)),
                  "first_seen": existing["first_seen"] if existing else now, "updated_at": now}
        with self._write():
            self.db["sources"].upsert(record, pk="id")

    def start_run(self, source_id: str, mode: str = "incremental") -> int:
        record = {"source_id": source_id, "started_at": utcnow(), "status": "running", "mode": mode,
                  "pages": 0, "requests": 0, "problems": "[]", "stats": "{}", **dict.fromkeys(RUN_COUNTERS, 0)}
        with self._write():
            return int(self.db["runs"].insert(record).last_pk)

    def finish_run(self, run_id: int, status: str, pages: int, problems: list[str], stats: dict[str, Any],
                   requests: int | None = None) -> None:
        update = {"finished_at": utcnow(), "status": status, "pages": pages,
                  "problems": json.dumps(problems, ensure_ascii=False),
                  "stats": json.dumps(stats, ensure_ascii=False, default=str)}
        if requests is not None:
            update["requests"] = requests
        with self._write():
            self.db["runs"].update(run_id, update)

    def abort_orphaned_runs(self, source_id: str, reason: str = "the crawl's process ended without closing it") -> int:
        """Runs of this source still marked `running`: their process died (the caller holds the
        source's crawl lock, so no live process owns them). Mark them aborted; return how many."""
        now = utcnow()
        with self._write():
            rows = list(self.db.query("select id, problems from runs where source_id = ? and status = 'running' "
                                      "and mode != 'recheck'", [source_id]))
            for row in rows:
                problems = [*json.loads(row["problems"] or "[]"), f"aborted: {reason}"]
                self.db["runs"].update(row["id"], {"status": "aborted", "finished_at": now,
                                                   "problems": json.dumps(problems, ensure_ascii=False)})
        return len(rows)

    def full_sweep_due(self, source_id: str, every_seconds: float, now: datetime | None = None) -> bool:
        """True when the source never completed a crawl, or its last completed full crawl is older
        than `every_seconds`: incremental crawls cannot see edits to notices off page 1."""
        row = self._one("select max(started_at) as last from runs where source_id = ? and status = 'completed' "
                        "and mode = 'full'", [source_id])
        if row is None or row["last"] is None:
            return True
        last = datetime.fromisoformat(row["last"])
        return ((now or datetime.now(UTC)) - last).total_seconds() >= every_seconds

    def run(self, run_id: int) -> dict[str, Any]:
        return self._one("select * from runs where id = ?", [run_id]) or {}

    def _bump(self, run_id: int | None, *counters: str) -> None:
        if run_id is not None and counters:
            sets = ", ".join(f"[{c}] = coalesce([{c}], 0) + 1" for c in counters)
            self.db.execute(f"update runs set {sets} where id = ?", [run_id])

    # -- recording fetch outcomes -------------------------------------------------------------
    def save_item(self, item: NoticeItem, run_id: int | None = None) -> str:
        """Record one successful fetch. Returns new | moved | changed | restored | unchanged.

        A new version is written only when the normalised title or body changed (monitor.changes).
        """
        notice = item.notice.replace(url=item.url, source_id=item.source_id)
        now = item.fetched_at or utcnow()
        with self._write():
            row = self._one("select * from notices where url = ?", [item.url])
            outcome = "unchanged"
            if row is None:
                moved_from = self._moved_from(notice)
                if moved_from is None:
                    return self._insert(notice, item, now, run_id)
                row = self._move(moved_from, notice, now, run_id)
                outcome = "moved"
            elif row["status"] == "removed":
                self._event("restored", row["id"], notice, run_id, now, f"restored: {notice.title or item.url}")
                outcome = "restored"
            previous = row_to_notice(row)
            self._update_row("notices", row["id"], {
                "last_seen": now, "last_fetched": now, "last_checked": now, "status": "active",
                "removed_at": None, "consecutive_failures": 0, "last_failure": None,
                "list_title": item.list_title or row["list_title"], "list_date": item.list_date or row["list_date"],
                "etag": item.etag, "last_modified": item.last_modified,
            })
            change = compare_notices(previous, notice)
            if change is not None:
                self._new_version(row, notice, item, change, now, run_id)
                outcome = "changed" if outcome == "unchanged" else outcome
            self._bump(run_id, "items", outcome)
            return outcome

    def mark_not_modified(self, url: str, run_id: int | None = None, now: str | None = None) -> str:
        """A 304 (or an unchanged body) on re-check: the notice is alive; restores a removed one."""
        now = now or utcnow()
        with self._write():
            row = self._one("select * from notices where url = ?", [url])
            if row is None:
                return "unknown"
            outcome = "unchanged"
            if row["status"] == "removed":
                self._event("restored", row["id"], row_to_notice(row), run_id, now,
                            f"restored: {row['title'] or url}")
                outcome = "restored"
            self._update_row("notices", row["id"], {"last_seen": now, "last_checked": now, "status": "active",
                                                  "removed_at": None, "consecutive_failures": 0,
                                                  "last_failure": None})
            self._bump(run_id, outcome)
            return outcome

    def record_failure(self, failure: DetailFailure, run_id: int | None = None, today: date | None = None) -> str:
        """Count a failed fetch of a known notice; after `removal_after` in a row, it is removed.

        Returns unknown | error (not counted) | failing | removed (this call declared it) | still_removed.
        """
        now = failure.fetched_at or utcnow()
        with self._write():
            row = self._one("select * from notices where url = ?", [failure.url])
            if row is None:
                return "unknown"
            update = {"last_checked": now, "last_failure": f"{failure.kind}: {failure.reason}"}
            if failure.kind not in COUNTED_FAILURES:
                self._update_row("notices", row["id"], update)
                return "error"
            failures = int(row["consecutive_failures"] or 0) + 1
            update["consecutive_failures"] = failures
            outcome = "still_removed" if row["status"] == "removed" else "failing"
            if row["status"] != "removed" and failures >= self.removal_after:
                notice = row_to_notice(row)
                today = today or datetime.now(UTC).date()
                open_window = window_status(notice, today) in ("open", "closing soon")
                summary = f"removed: {notice.title or failure.url} ({failures} failed fetches, last: {failure.reason})"
                if open_window:
                    summary += f" while its disclosure window was open (until {notice.disclosure_end})"
                self._event("removed", row["id"], notice, run_id, now, summary, window_open=open_window)
                update.update(status="removed", removed_at=now)
                outcome = "removed"
            self._update_row("notices", row["id"], update)
            self._bump(run_id, "failures", *(["removed"] if outcome == "removed" else []))
            return outcome

    def record_listing(self, listing: ListingItem, now: str | None = None) -> None:
        """Remember what a list page showed (incremental crawls compare against it)."""
        now = now or utcnow()
        with self._write():
            for url, title, list_date in listing.entries:
                self.db.execute(
                    "update notices set last_listed = ?, list_title = coalesce(?, list_title), "
                    "list_date = coalesce(?, list_date) where url = ?",
                    [now, title, list_date, url],
                )

    def _insert(self, notice: Notice, item: NoticeItem, now: str, run_id: int | None) -> str:
        record = {**notice_columns(notice), "status": "active", "list_title": item.list_title,
                  "list_date": item.list_date, "first_seen": now, "last_seen": now, "last_fetched": now,
                  "last_checked": now, "raw_sha256": item.raw_sha256, "version_count": 1,
                  "consecutive_failures": 0, "etag": item.etag, "last_modified": item.last_modified,
                  "identity": _identity(notice)}
        notice_id = self._insert_row("notices", record)
        search.add_document(self.db, notice_id, record)
        self._version(notice_id, 1, item, notice)
        self._event("new", notice_id, notice, run_id, now, f"new: {notice.title or item.url}")
        self._bump(run_id, "items", "new")
        return "new"

    def _moved_from(self, notice: Notice) -> dict[str, Any] | None:
        """An existing notice of the same source with the same identity at another URL."""
        identity = _identity(notice)
        if identity is None:
            return None
        return self._one("select * from notices where source_id = ? and identity = ? and url != ? "
                         "order by (status = 'removed') desc, id limit 1", [notice.source_id, identity, notice.url])

    def _move(self, row: dict[str, Any], notice: Notice, now: str, run_id: int | None) -> dict[str, Any]:
        old_url = row["url"]
        self._update_row("notices", row["id"], {"url": notice.url})
        self._event("moved", row["id"], notice, run_id, now, f"moved: {notice.title} {old_url} → {notice.url}",
                    changes=[{"field": "url", "old": old_url, "new": notice.url}])
        return dict(row, url=notice.url)

    def _new_version(self, row: dict[str, Any], notice: Notice, item: NoticeItem, change: NoticeChange,
                     now: str, run_id: int | None) -> None:
        version = int(row["version_count"] or 0) + 1
        columns = notice_columns(notice)
        search.remove_document(self.db, row["id"], row)
        search.add_document(self.db, row["id"], columns)
        self._update_row("notices", row["id"], {**columns, "version_count": version,
                                              "raw_sha256": item.raw_sha256, "identity": _identity(notice)})
        self._version(row["id"], version, item, notice)
        self._event("changed", row["id"], notice, run_id, now, f"changed: {notice.title or item.url}: {change.summary()}",
                    changes=[c.to_dict() for c in change.fields], diff=change.body.render())

    def _version(self, notice_id: int, version: int, item: NoticeItem, notice: Notice) -> None:
        self._insert_row("notice_versions", {
            "notice_id": notice_id, "version": version, "fetched_at": item.fetched_at,
            "raw_sha256": item.raw_sha256, "content_hash": notice.content_hash,
            "record": json.dumps(notice.to_dict(), ensure_ascii=False),
        })

    def _event(self, kind: str, notice_id: int, notice: Notice, run_id: int | None, when: str, summary: str,
               changes: list[dict[str, Any]] | None = None, diff: str = "", window_open: bool = False) -> None:
        self._insert_row("events", {
            "kind": kind, "notice_id": notice_id, "source_id": notice.source_id, "url": notice.url,
            "run_id": run_id, "detected_at": when, "summary": summary,
            "changes": json.dumps(changes or [], ensure_ascii=False), "diff": diff, "window_open": int(window_open),
        })

    # -- reading ------------------------------------------------------------------------------
    def notices(self, source_id: str | None = None, limit: int | None = None) -> list[StoredNotice]:
        sql, params = "select * from notices", []
        if source_id:
            sql, params = sql + " where source_id = ?", [source_id]
        sql += " order by coalesce(published_at, '') desc, id desc"
        if limit:
            sql += f" limit {int(limit)}"
        return [row_to_stored(row) for row in self.db.query(sql, params)]

    def notices_for_digest(self, notice_ids: Iterable[int], window_end_from: str, window_end_to: str,
                           source_ids: Iterable[str] | None = None) -> list[StoredNotice]:
        """The notices a digest needs: those its events name, and active ones whose window ends
        between the two ISO dates (closing soon). Never the whole table."""
        found: dict[int, StoredNotice] = {}
        ids = sorted(set(notice_ids))
        for start in range(0, len(ids), 500):  # SQLite caps bound parameters
            chunk = ids[start : start + 500]
            rows = self.db.query(f"select * from notices where id in ({', '.join('?' for _ in chunk)})", chunk)
            found.update((row["id"], row_to_stored(row)) for row in rows)
        sql = "select * from notices where status = 'active' and disclosure_end between ? and ?"
        params: list[Any] = [window_end_from, window_end_to]
        if source_ids is not None:
            chosen = list(source_ids)
            sql += f" and source_id in ({', '.join('?' for _ in chosen)})"
            params += chosen
        found.update((row["id"], row_to_stored(row)) for row in self.db.query(sql, params))
        return list(found.values())

    def find_notice(self, url_or_id: str) -> StoredNotice | None:
        row = self._one("select * from notices where id = ?", [int(url_or_id)]) if url_or_id.isdigit() else None
        row = row or self._one("select * from notices where url = ?", [url_or_id])
        return row_to_stored(row) if row else None

    def versions(self, notice_id: int) -> list[Version]:
        rows = self.db.query("select * from notice_versions where notice_id = ? order by version", [notice_id])
        return [Version(r["version"], r["fetched_at"], r["raw_sha256"], r["content_hash"],
                        Notice.from_dict(json.loads(r["record"]))) for r in rows]

    def events(self, since: str | None = None, notice_id: int | None = None, kinds: Iterable[str] = ()) -> list[Event]:
        clauses, params = [], []
        if since:
            clauses.append("detected_at >= ?")
            params.append(since)
        if notice_id is not None:
            clauses.append("notice_id = ?")
            params.append(notice_id)
        kinds = list(kinds)
        if kinds:
            clauses.append(f"kind in ({', '.join('?' for _ in kinds)})")
            params.extend(kinds)
        where = f" where {' and '.join(clauses)}" if clauses else ""
        rows = self.db.query(f"select * from events{where} order by id", params)
        return [Event(r["id"], r["kind"], r["notice_id"], r["source_id"], r["url"] or "", r["detected_at"],
                      r["summary"], tuple(json.loads(r["changes"] or "[]")), r["diff"] or "",
                      bool(r["window_open"])) for r in rows]

    def known_listing(self, source_id: str) -> dict[str, tuple[str | None, str | None]]:
        """{url: (list title, list date)} of a source's notices, for incremental crawls."""
        rows = self.db.query("select url, list_title, list_date from notices where source_id = ?", [source_id])
        return {r["url"]: (r["list_title"], r["list_date"]) for r in rows}

    def recheck_candidates(
        self,
        today: date,
        limit: int | None = None,
        source_ids: Iterable[str] = (),
        policy: RecheckPolicy | None = None,
    ) -> list[Known]:
        """Notices due a re-check, most urgent first: window open or upcoming, failing or removed
        (to catch restorations), published recently, or not checked for `stale_days`.
        `policy.everything` re-checks all of them. Old, closed, recently checked notices wait."""
        policy = policy or RecheckPolicy()
        ids = list(source_ids)
        clauses = [f"source_id in ({', '.join('?' for _ in ids)})"] if ids else []
        params: list[Any] = list(ids)
        window_open = "(disclosure_end is not null and disclosure_end >= ?)"
        if not policy.everything:
            recent = (today - timedelta(days=policy.recent_days)).isoformat()
            stale = (today - timedelta(days=policy.stale_days)).isoformat()
            clauses.append(
                f"({window_open} or consecutive_failures > 0 or status = 'removed' "
                "or coalesce(published_at, '') >= ? or coalesce(last_checked, '') < ?)"
            )
            params += [today.isoformat(), recent, stale]
        where = f" where {' and '.join(clauses)}" if clauses else ""
        sql = (
            f"select id, url, source_id, etag, last_modified from notices{where} order by "
            f"{window_open} desc, (consecutive_failures > 0) desc, coalesce(published_at, '') desc, "
            "coalesce(last_checked, '') asc"
        )
        if limit:
            sql += f" limit {int(limit)}"
        rows = self.db.query(sql, [*params, today.isoformat()])
        return [Known(r["id"], r["url"], r["source_id"], r["etag"], r["last_modified"]) for r in rows]

    def count(self, table: str) -> int:
        return self.db[table].count

    def rows(self, sql: str, params: list[Any] | None = None) -> Iterator[dict[str, Any]]:
        return self.db.query(sql, params or [])

    def _one(self, sql: str, params: list[Any]) -> dict[str, Any] | None:
        cursor = self.db.conn.execute(sql, params)
        row = cursor.fetchone()
        return None if row is None else dict(zip([d[0] for d in cursor.description], row, strict=True))

    # The write path runs once per crawled page: plain parameterised statements. sqlite-utils'
    # insert/update re-read the schema (sqlite_master, table_info) and wrap each statement in a
    # savepoint — 28 statements per new notice where 8 do (bench/crawl_bench.py profile).
    def _insert_row(self, table: str, record: dict[str, Any]) -> int:
        columns = tuple(record)
        sql = _INSERT_SQL.get((table, columns))
        if sql is None:
            sql = _INSERT_SQL.setdefault((table, columns), f"insert into [{table}] ({', '.join(f'[{c}]' for c in columns)}) "
                                                          f"values ({', '.join('?' for _ in columns)})")
        return int(self.db.conn.execute(sql, list(record.values())).lastrowid)

    def _update_row(self, table: str, row_id: int, values: dict[str, Any]) -> None:
        sets = ", ".join(f"[{c}] = ?" for c in values)
        self.db.conn.execute(f"update [{table}] set {sets} where id = ?", [*values.values(), row_id])


_INSERT_SQL: dict[tuple[str, tuple[str, ...]], str] = {}


def _identity(notice: Notice) -> str | None:
    key = identity_key(notice)
    return json.dumps(key, ensure_ascii=False) if key else None


def notice_columns(notice: Notice) -> dict[str, Any]:
    """Notice → column values; list-valued fields as JSON text."""
    return {name: json.dumps(value, ensure_ascii=False) if isinstance(value, list) else value
            for name, value in notice.to_dict().items()}


def row_to_notice(row: dict[str, Any]) -> Notice:
    data: dict[str, Any] = {}
    for name in NOTICE_FIELDS:
        value = row.get(name)
        if isinstance(value, str) and value[:1] == "[" and name in _LIST_FIELDS:
            value = json.loads(value)
        data[name] = value
    return Notice.from_dict(data)


_LIST_FIELDS = frozenset(name for name, value in Notice().to_dict().items() if isinstance(value, list))


def row_to_stored(row: dict[str, Any]) -> StoredNotice:
    return StoredNotice(id=row["id"], notice=row_to_notice(row), status=row["status"], first_seen=row["first_seen"],
                        last_seen=row["last_seen"], version_count=row["version_count"] or 1,
                        consecutive_failures=row["consecutive_failures"] or 0)
