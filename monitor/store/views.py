"""Reads for the views: notices, versions, events, and what crawls and re-checks need to know."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from crawler.notice import Notice
from monitor.store.connection import Connection
from monitor.store.records import Event, Known, RecheckPolicy, StoredNotice, Version, row_to_stored


class NoticeViews(Connection):
    def notices(self, source_id: str | None = None, limit: int | None = None, status: str | None = None,
                open_on: date | None = None, closes_by: date | None = None) -> list[StoredNotice]:
        """Newest first; with `open_on`, only notices whose window is open that day, closing soonest
        first (and with `closes_by`, only those closing by then). `status`: active | removed."""
        clauses: list[str] = []
        params: list[Any] = []
        if source_id:
            clauses.append("source_id = ?")
            params.append(source_id)
        if status:
            clauses.append("status = ?")
            params.append(status)
        if open_on is not None:
            clauses.append("disclosure_end >= ? and coalesce(disclosure_start, disclosure_end) <= ?")
            params += [open_on.isoformat(), open_on.isoformat()]
        if closes_by is not None:
            clauses.append("disclosure_end <= ?")
            params.append(closes_by.isoformat())
        sql = "select * from notices" + (f" where {' and '.join(clauses)}" if clauses else "")
        if open_on is not None:
            sql += " order by disclosure_end, id"  # idx_notices_disclosure_end
        else:
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
        # An id beyond SQLite's integers is no stored notice (and would overflow the query).
        as_id = int(url_or_id) if url_or_id.isascii() and url_or_id.isdigit() else None
        row = self._one("select * from notices where id = ?", [as_id]) if as_id is not None and as_id < 2**63 else None
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

    def skipped_listing(self, source_id: str) -> dict[str, tuple[str | None, str | None]]:
        """{url: (list title, list date)} of entries a source's lists showed that were never
        fetched (not relevant by its keywords then), for incremental crawls."""
        rows = self.db.query(
            "select url, list_title, list_date from listings where source_id = ? "
            "and url not in (select url from notices where source_id = ?)",
            [source_id, source_id],
        )
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

