"""The store: one SQLite file (WAL) through sqlite-utils. Current state, versions, runs, events.

Writes happen inside `db.atomic()` transactions so a crash between statements cannot leave a notice
without its version or a version without its notice.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from crawler.items import NoticeItem
from crawler.notice import NOTICE_FIELDS, Notice
from monitor.schema import LIST_FIELDS, migrations


class StoreError(RuntimeError):
    """The database cannot be opened or used; one line naming the file and what to do."""


def utcnow() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass(frozen=True)
class StoredNotice:
    id: int
    notice: Notice
    status: str
    first_seen: str
    last_seen: str
    version_count: int


@dataclass(frozen=True)
class Version:
    version: int
    fetched_at: str
    raw_sha256: str
    content_hash: str
    notice: Notice


class Store:
    def __init__(self, path: str | Path):
        self.path = Path(path)
        if self.path.exists() and self.path.is_dir():
            raise StoreError(f"{self.path}: is a directory, not a database file (pass --db FILE)")
        if self.path.parent and not self.path.parent.exists():
            self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            conn = sqlite3.connect(str(self.path), timeout=30, isolation_level=None)
            self.db = Database(conn)
            self.db.enable_wal()
            self.db.execute("PRAGMA foreign_keys = ON")
            self.db.execute("PRAGMA busy_timeout = 30000")
            migrations.apply(self.db)
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.path}: not a usable noticewatch database ({exc})") from None

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- sources ------------------------------------------------------------------------------
    def sync_source(self, source_id: str, name: str, kind: str, start_urls: Iterable[str]) -> None:
        now = utcnow()
        existing = self._one("select first_seen from sources where id = ?", [source_id])
        with self.db.atomic():
            self.db["sources"].upsert(
                {
                    "id": source_id,
                    "name": name,
                    "kind": kind,
                    "start_urls": json.dumps(list(start_urls)),
                    "first_seen": existing["first_seen"] if existing else now,
                    "updated_at": now,
                },
                pk="id",
            )

    # -- runs ---------------------------------------------------------------------------------
    def start_run(self, source_id: str) -> int:
        with self.db.atomic():
            table = self.db["runs"].insert(
                {
                    "source_id": source_id,
                    "started_at": utcnow(),
                    "status": "running",
                    "pages": 0,
                    "items": 0,
                    "new": 0,
                    "changed": 0,
                    "unchanged": 0,
                    "problems": "[]",
                    "stats": "{}",
                }
            )
        return int(table.last_pk)

    def finish_run(
        self, run_id: int, status: str, pages: int, problems: list[str], stats: dict[str, Any]
    ) -> None:
        with self.db.atomic():
            self.db["runs"].update(
                run_id,
                {
                    "finished_at": utcnow(),
                    "status": status,
                    "pages": pages,
                    "problems": json.dumps(problems, ensure_ascii=False),
                    "stats": json.dumps(stats, ensure_ascii=False, default=str),
                },
            )

    def run(self, run_id: int) -> dict[str, Any]:
        return self._one("select * from runs where id = ?", [run_id]) or {}

    # -- notices ------------------------------------------------------------------------------
    def save_item(self, item: NoticeItem, run_id: int | None) -> str:
        """Upsert one fetched notice. Returns 'new', 'changed' or 'unchanged'.

        A new version is written only when the normalised content (content_hash) or the title
        changes; an unchanged fetch only moves `last_seen`.
        """
        notice = item.notice.replace(url=item.url, source_id=item.source_id)
        now = item.fetched_at or utcnow()
        with self.db.atomic():
            row = self._one("select * from notices where url = ?", [item.url])
            if row is None:
                notice_id = self._insert_notice(notice, item, now)
                self._add_version(notice_id, 1, item, notice)
                self._add_event(
                    "new", notice_id, item.source_id, run_id, now, f"new: {notice.title or item.url}"
                )
                self._update_run_counts(run_id, "items", "new")
                return "new"
            previous = row_to_notice(row)
            self.db["notices"].update(
                row["id"],
                {
                    "last_seen": now,
                    "last_fetched": now,
                    "list_title": item.list_title,
                    "list_date": item.list_date,
                    "consecutive_failures": 0,
                },
            )
            if version_key(previous) == version_key(notice):
                self._update_run_counts(run_id, "items", "unchanged")
                return "unchanged"
            version = int(row["version_count"] or 0) + 1
            self.db["notices"].update(
                row["id"], {**notice_columns(notice), "version_count": version, "raw_sha256": item.raw_sha256}
            )
            self._add_version(row["id"], version, item, notice)
            self._add_event(
                "changed",
                row["id"],
                item.source_id,
                run_id,
                now,
                f"changed: {notice.title or item.url} (version {version})",
            )
            self._update_run_counts(run_id, "items", "changed")
            return "changed"

    def _insert_notice(self, notice: Notice, item: NoticeItem, now: str) -> int:
        record = {
            **notice_columns(notice),
            "status": "active",
            "list_title": item.list_title,
            "list_date": item.list_date,
            "first_seen": now,
            "last_seen": now,
            "last_fetched": now,
            "raw_sha256": item.raw_sha256,
            "version_count": 1,
            "consecutive_failures": 0,
        }
        return int(self.db["notices"].insert(record).last_pk)

    def _add_version(self, notice_id: int, version: int, item: NoticeItem, notice: Notice) -> None:
        self.db["notice_versions"].insert(
            {
                "notice_id": notice_id,
                "version": version,
                "fetched_at": item.fetched_at,
                "raw_sha256": item.raw_sha256,
                "content_hash": notice.content_hash,
                "record": json.dumps(notice.to_dict(), ensure_ascii=False),
            }
        )

    def _add_event(
        self, kind: str, notice_id: int, source_id: str, run_id: int | None, when: str, summary: str
    ) -> None:
        self.db["events"].insert(
            {
                "kind": kind,
                "notice_id": notice_id,
                "source_id": source_id,
                "run_id": run_id,
                "detected_at": when,
                "summary": summary,
                "changes": "[]",
                "diff": "",
            }
        )

    def _update_run_counts(self, run_id: int | None, *columns: str) -> None:
        if run_id is None:
            return
        sets = ", ".join(f"[{c}] = coalesce([{c}], 0) + 1" for c in columns)
        self.db.execute(f"update runs set {sets} where id = ?", [run_id])

    def notices(self, source_id: str | None = None, limit: int | None = None) -> list[StoredNotice]:
        sql = "select * from notices"
        params: list[Any] = []
        if source_id:
            sql += " where source_id = ?"
            params.append(source_id)
        sql += " order by coalesce(published_at, '') desc, id desc"
        if limit:
            sql += f" limit {int(limit)}"
        return [row_to_stored(row) for row in self.db.query(sql, params)]

    def find_notice(self, url_or_id: str) -> StoredNotice | None:
        row = None
        if url_or_id.isdigit():
            row = self._one("select * from notices where id = ?", [int(url_or_id)])
        if row is None:
            row = self._one("select * from notices where url = ?", [url_or_id])
        return row_to_stored(row) if row else None

    def versions(self, notice_id: int) -> list[Version]:
        rows = self.db.query(
            "select * from notice_versions where notice_id = ? order by version", [notice_id]
        )
        return [
            Version(
                r["version"],
                r["fetched_at"],
                r["raw_sha256"],
                r["content_hash"],
                Notice.from_dict(json.loads(r["record"])),
            )
            for r in rows
        ]

    def count(self, table: str) -> int:
        return self.db[table].count

    def _one(self, sql: str, params: list[Any]) -> dict[str, Any] | None:
        for row in self.db.query(sql, params):
            return row
        return None

    def rows(self, sql: str, params: list[Any] | None = None) -> Iterator[dict[str, Any]]:
        return self.db.query(sql, params or [])


def notice_columns(notice: Notice) -> dict[str, Any]:
    data = notice.to_dict()
    for name in LIST_FIELDS:
        data[name] = json.dumps(data[name], ensure_ascii=False)
    return data


def row_to_notice(row: dict[str, Any]) -> Notice:
    data = {name: row.get(name) for name in NOTICE_FIELDS}
    for name in LIST_FIELDS:
        data[name] = json.loads(row[name]) if row.get(name) else []
    return Notice.from_dict(data)


def row_to_stored(row: dict[str, Any]) -> StoredNotice:
    return StoredNotice(
        id=row["id"],
        notice=row_to_notice(row),
        status=row["status"],
        first_seen=row["first_seen"],
        last_seen=row["last_seen"],
        version_count=row["version_count"] or 1,
    )


def version_key(notice: Notice) -> tuple[str, str]:
    """What makes a new version: the normalised body (content_hash) and the title."""
    from crawler.parser import normalise_for_compare

    return (normalise_for_compare(notice.title or ""), notice.content_hash)
