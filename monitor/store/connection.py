"""The store's connection: one SQLite file (WAL) through sqlite-utils, migrated on open, and the
plain statements the write paths share. The store's jobs (monitor/store/outcomes.py, views.py,
runs.py) are mixins over this base; monitor/store/db.py puts them together as `Store`.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from monitor.store.records import StoreError
from monitor.store.schema import migrations


class Connection:
    def __init__(self, path: str | Path, removal_after: int = 3, check_same_thread: bool = True):
        self.path = Path(path)
        self.removal_after = removal_after
        self._run_starts: dict[int, str | None] = {}  # runs.started_at by id (outcomes.py)
        _check_path(self.path)
        try:
            conn = sqlite3.connect(str(self.path), timeout=30, isolation_level=None,
                                   check_same_thread=check_same_thread)
            self.db = Database(conn)
            self.db.execute("PRAGMA busy_timeout = 30000")
            _refuse_foreign(self.db, self.path)
            self.db.enable_wal()
            # WAL + NORMAL: a commit survives a killed process (bench/crash_trials.py); only a power
            # loss can drop the last commits. FULL costs an fsync (~4 ms) per notice.
            self.db.execute("PRAGMA synchronous = NORMAL")
            self.db.execute("PRAGMA foreign_keys = ON")
            migrations.apply(self.db)
        except sqlite3.DatabaseError as exc:
            if "readonly" in str(exc) or "unable to open" in str(exc):
                raise StoreError(f"{self.path}: cannot open the database for writing ({exc}): check the "
                                 "permissions of the file and its folder") from None
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

    def __enter__(self) -> Connection:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def count(self, table: str) -> int:
        return self.db[table].count

    def rows(self, sql: str, params: list[Any] | None = None) -> Iterator[dict[str, Any]]:
        return self.db.query(sql, params or [])

    def _one(self, sql: str, params: list[Any]) -> dict[str, Any] | None:
        cursor = self.db.conn.execute(sql, params)
        row = cursor.fetchone()
        return None if row is None else dict(zip([d[0] for d in cursor.description], row, strict=True))

    def _all(self, sql: str, params: list[Any]) -> list[dict[str, Any]]:
        """Rows as dicts by a plain statement: not sqlite-utils' query(), which wraps every read in
        a savepoint — and a savepoint makes FTS5 flush what it holds for the search index, one
        index segment per notice instead of one per transaction (monitor/store/writer.py)."""
        cursor = self.db.conn.execute(sql, params)
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

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



def _check_path(path: Path) -> None:
    """One-line errors for paths SQLite would fail on obscurely: a folder, a folder under a file,
    a file or folder we may not read and write (WAL needs the folder too)."""
    if path.is_dir():
        raise StoreError(f"{path}: is a directory, not a database file (pass --db FILE)")
    blocking = next((p for p in path.parents if p.exists() and not p.is_dir()), None)
    if blocking is not None:
        raise StoreError(f"{path}: cannot be created: {blocking} is a file, not a folder (pass another --db)")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(f"{path}: cannot create its folder: {exc.strerror or exc}") from None
    if path.exists() and not os.access(path, os.R_OK | os.W_OK):
        raise StoreError(f"{path}: permission denied (the database must be readable and writable by this user)")
    if not os.access(path.parent, os.W_OK | os.X_OK):
        raise StoreError(f"{path.parent}: permission denied (the database's folder must be writable: "
                         "SQLite keeps its journal beside the file)")


def _refuse_foreign(db: Database, path: Path) -> None:
    """A database that has tables but never had noticewatch's migrations belongs to something
    else: adding our tables to it would change someone's file."""
    tables = db.table_names()
    if not tables:
        return
    if "_sqlite_migrations" in tables and db.execute(
        "select 1 from _sqlite_migrations where migration_set = ? limit 1", [migrations.name]
    ).fetchone():
        return
    shown = ", ".join(tables[:5]) + (", …" if len(tables) > 5 else "")
    raise StoreError(f"{path}: an SQLite database of something else (tables: {shown}), not a noticewatch "
                     "database; pass another --db")
