"""Crawl outcomes written to the store: a fetched notice, a 304, a failed fetch, a list page seen.

Every write that spans rows (a notice and its version and its event) is one transaction
(`Connection._write`), so a crash between statements cannot leave a notice without its version.
What counts as a change is decided by `monitor.changes` (pure); this module only records it.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from crawler.items import DetailFailure, ListingItem, NoticeItem
from crawler.notice import Notice
from monitor.changes import NoticeChange, compare_notices
from monitor.store import search
from monitor.store.connection import Connection
from monitor.store.records import COUNTED_FAILURES, identity_column, notice_columns, row_to_notice, utcnow
from monitor.window import china_today, window_status


class OutcomeWrites(Connection):
    removal_after: int
    _run_starts: dict[int, str | None]  # Connection.__init__

    def save_item(self, item: NoticeItem, run_id: int | None = None) -> str:
        """Record one successful fetch. Returns new | moved | changed | restored | unchanged.

        A new version is written only when the normalised title or body changed (monitor.changes).
        """
        notice = item.notice
        if (notice.url, notice.source_id) != (item.url, item.source_id):  # a crawl's notice has both already
            notice = notice.replace(url=item.url, source_id=item.source_id)
        now = item.fetched_at or utcnow()
        with self._write():
            row = self._one("select * from notices where url = ?", [item.url])
            outcome = "unchanged"
            if row is None:
                identity = identity_column(notice)
                moved_from = self._moved_from(notice, run_id, identity)
                if moved_from is None:
                    return self._insert(notice, item, now, run_id, identity)
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
                today = today or china_today()
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
        """Remember what a list page showed (incremental crawls compare against it), and the entries
        it showed that were not fetched (the source's keywords passed them over) in `listings`."""
        now = now or utcnow()
        # One executemany per kind of row: a list page's twenty entries in one call each.
        with self._write():
            self.db.conn.executemany(
                "update notices set last_listed = ?, list_title = coalesce(?, list_title), "
                "list_date = coalesce(?, list_date) where url = ?",
                [(now, title, list_date, url) for url, title, list_date in listing.entries],
            )
            self.db.conn.executemany(
                "insert into listings (source_id, url, list_title, list_date, first_seen, last_listed) "
                "values (?, ?, ?, ?, ?, ?) on conflict (source_id, url) do update set "
                "list_title = excluded.list_title, list_date = excluded.list_date, last_listed = excluded.last_listed",
                [(listing.source_id, url, title, list_date, now, now) for url, title, list_date in listing.skipped],
            )

    def _insert(self, notice: Notice, item: NoticeItem, now: str, run_id: int | None, identity: str | None) -> str:
        record = {**notice_columns(notice), "status": "active", "list_title": item.list_title,
                  "list_date": item.list_date, "first_seen": now, "last_seen": now, "last_fetched": now,
                  "last_checked": now, "raw_sha256": item.raw_sha256, "version_count": 1,
                  "consecutive_failures": 0, "etag": item.etag, "last_modified": item.last_modified,
                  "identity": identity}
        notice_id = self._insert_row("notices", record)
        search.add_document(self.db, notice_id, record)
        self._version(notice_id, 1, item, notice)
        self._event("new", notice_id, notice, run_id, now, f"new: {notice.title or item.url}")
        self._bump(run_id, "items", "new")
        return "new"

    def _moved_from(self, notice: Notice, run_id: int | None, identity: str | None) -> dict[str, Any] | None:
        """The stored notice this one is, moved to a new URL: same source, same identity (title,
        organisation, dates) and the same text — and gone from its old URL, as far as this run
        saw: not on the lists this run read, and not itself found in this run. Two notices alike
        in title and date but not in text are two notices; one notice linked at two URLs is
        stored twice, not moved to and fro on every crawl. `identity`: identity_column(notice)."""
        if identity is None:
            return None
        since = self._run_started_at(run_id)
        rows = self._all(
            "select * from notices where source_id = ? and identity = ? and url != ? and content_hash = ? "
            "order by (status = 'removed') desc, id", [notice.source_id, identity, notice.url, notice.content_hash])
        for row in rows:
            if since is not None and ((row["last_listed"] or "") >= since or (row["first_seen"] or "") >= since):
                continue  # still listed at its old URL, or a second copy found in this same run
            return row
        return None

    def _run_started_at(self, run_id: int | None) -> str | None:
        """A run's start, read once per run: it never changes (a run row is written at its start)."""
        if run_id is None:
            return None
        if run_id not in self._run_starts:
            started = self._one("select started_at from runs where id = ?", [run_id])
            self._run_starts[run_id] = started["started_at"] if started else None
        return self._run_starts[run_id]

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
                                              "raw_sha256": item.raw_sha256, "identity": identity_column(notice)})
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

