"""What the reader's pages show, read from the store over a read-only connection.

Every function takes a `sqlite3.Connection` (Datasette hands one to `execute_fn` on its own thread)
and the day in China; it returns frozen records, never raw rows. Nothing here writes.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlite_utils import Database

from crawler.notice import Notice
from monitor.changes import BodyDiff, compare_notices, diff_text
from monitor.digest.sources import SourceProblem, read_source_facts, source_problems
from monitor.digest.words import describe_change, window_words
from monitor.store.records import Event, StoredNotice, row_to_stored
from monitor.store.search import Filters, Hit, search
from monitor.window import CLOSING_SOON_DAYS

EVENT_KINDS = ("new", "changed", "removed", "restored", "moved", "window")
SILENT_AFTER_DAYS = 14  # as the digests' default (monitor/config/digest.py)


class ReaderError(RuntimeError):
    """The database cannot be read as a noticewatch store; one line naming the file."""


@dataclass(frozen=True)
class Listed:
    """A notice as a list shows it: the stored record and its window status today."""

    stored: StoredNotice
    window_status: str  # upcoming | open | closing soon | closed | unknown
    window_words: str  # "open, closes tomorrow (2024-10-25)"
    days_left: int | None
    removed_at: str | None = None


@dataclass(frozen=True)
class ShownEvent:
    event: Event
    title: str | None


@dataclass(frozen=True)
class ShownVersion:
    version: int
    fetched_at: str
    notice_title: str | None
    body_text: str
    changes: tuple[str, ...]  # field changes from the previous version, in words
    diff: BodyDiff | None  # character-level body diff from the previous version; None for the first


@dataclass(frozen=True)
class NoticePage:
    listed: Listed
    row: dict[str, Any]  # the notices row (for fields the record does not carry: last_failure, …)
    versions: tuple[ShownVersion, ...]
    events: tuple[Event, ...]
    source_name: str | None


@dataclass(frozen=True)
class FrontPage:
    open_now: tuple[Listed, ...]
    events: tuple[ShownEvent, ...]  # changes, withdrawals, restorations, moves: newest first
    new: tuple[ShownEvent, ...]  # the newest "new" events
    withdrawn_open: tuple[Listed, ...]  # removed while (or since) their window is open
    problems: tuple[SourceProblem, ...]
    notice_count: int
    source_count: int


@dataclass(frozen=True)
class SourceSummary:
    id: str
    name: str
    kind: str | None
    start_urls: tuple[str, ...]
    notice_count: int
    removed_count: int
    last_run: dict[str, Any] | None


@dataclass(frozen=True)
class SourcePage:
    source: SourceSummary
    notices: tuple[Listed, ...]
    runs: tuple[dict[str, Any], ...]
    problems: tuple[SourceProblem, ...]


def check_store(conn: sqlite3.Connection, path: str) -> None:
    """ReaderError unless `conn` holds a noticewatch store."""
    names = {r[0] for r in conn.execute("select name from sqlite_master where type in ('table', 'view')")}
    missing = {"notices", "notice_versions", "events", "sources", "runs"} - names
    if missing:
        raise ReaderError(f"{path}: not a noticewatch database (no {', '.join(sorted(missing))} table); "
                          "create one with `noticewatch crawl` or `noticewatch demo`")


def listed(row: dict[str, Any], today: date) -> Listed:
    stored = row_to_stored(row)
    status, words, days = window_words(stored.notice, today, CLOSING_SOON_DAYS)
    return Listed(stored, status, words, days, row.get("removed_at"))


def open_notices(conn: sqlite3.Connection, today: date, limit: int = 200) -> tuple[Listed, ...]:
    """Active notices whose window is open today, closing soonest first."""
    day = today.isoformat()
    rows = _rows(conn, "select * from notices where status = 'active' and disclosure_end >= ? "
                       "and coalesce(disclosure_start, disclosure_end) <= ? order by disclosure_end, id limit ?",
                 [day, day, limit])
    return tuple(listed(r, today) for r in rows)


def front_page(conn: sqlite3.Connection, today: date, now: datetime | None = None) -> FrontPage:
    now = now or datetime.now(UTC)
    day = today.isoformat()
    withdrawn = _rows(conn, "select * from notices where status = 'removed' and disclosure_end >= ? "
                            "order by coalesce(removed_at, '') desc, id desc limit 50", [day])
    return FrontPage(
        open_now=open_notices(conn, today),
        events=latest_events(conn, limit=30, kinds=tuple(k for k in EVENT_KINDS if k != "new")),
        new=latest_events(conn, limit=10, kinds=("new",)),
        withdrawn_open=tuple(listed(r, today) for r in withdrawn),
        problems=problems(conn, now),
        notice_count=_scalar(conn, "select count(*) from notices"),
        source_count=_scalar(conn, "select count(*) from sources"),
    )


def latest_events(conn: sqlite3.Connection, limit: int = 30, source_id: str | None = None,
                  kinds: tuple[str, ...] = ()) -> tuple[ShownEvent, ...]:
    """Newest events first, with their notice's title."""
    clauses, params = [], []
    if source_id:
        clauses.append("e.source_id = ?")
        params.append(source_id)
    if kinds:
        clauses.append(f"e.kind in ({', '.join('?' for _ in kinds)})")
        params += list(kinds)
    where = f" where {' and '.join(clauses)}" if clauses else ""
    rows = _rows(conn, f"select e.*, n.title as notice_title from events e left join notices n on n.id = e.notice_id"
                       f"{where} order by e.id desc limit ?", [*params, limit])
    return tuple(ShownEvent(_event(r), r["notice_title"]) for r in rows)


def notice_page(conn: sqlite3.Connection, notice_id: int, today: date) -> NoticePage | None:
    row = next(_rows(conn, "select * from notices where id = ?", [notice_id]), None)
    if row is None:
        return None
    events = tuple(_event(r) for r in _rows(conn, "select * from events where notice_id = ? order by id", [notice_id]))
    source = next(_rows(conn, "select name from sources where id = ?", [row["source_id"]]), None)
    return NoticePage(listed(row, today), row, versions(conn, notice_id), events, source["name"] if source else None)


def versions(conn: sqlite3.Connection, notice_id: int) -> tuple[ShownVersion, ...]:
    """Every stored version, oldest first, each with what changed since the one before."""
    out: list[ShownVersion] = []
    previous = None
    for r in _rows(conn, "select * from notice_versions where notice_id = ? order by version", [notice_id]):
        notice = Notice.from_dict(json.loads(r["record"] or "{}"))
        changes: tuple[str, ...] = ()
        diff = None
        if previous is not None:
            change = compare_notices(previous, notice)
            if change is not None:
                changes = tuple(describe_change(c.field, c.old, c.new) for c in change.fields)
            diff = diff_text(previous.body_text, notice.body_text)
        out.append(ShownVersion(r["version"], r["fetched_at"], notice.title, notice.body_text, changes, diff))
        previous = notice
    return tuple(out)


@dataclass(frozen=True)
class Found:
    hit: Hit
    window_status: str
    window_words: str


def find(conn: sqlite3.Connection, query: str, today: date, status: str | None = None,
         limit: int = 50) -> tuple[Found, ...]:
    """The store's own search (monitor/store/search.py): any word length, either script."""
    hits = search(Database(conn), query, Filters(status=status or None), limit=limit)
    out = []
    for hit in hits:
        window = Notice(disclosure_start=hit.disclosure_start, disclosure_end=hit.disclosure_end)
        status_, words, _ = window_words(window, today, CLOSING_SOON_DAYS)
        out.append(Found(hit, status_, words))
    return tuple(out)


def sources(conn: sqlite3.Connection, source_id: str | None = None) -> tuple[SourceSummary, ...]:
    """Every source (or only `source_id`) with its notice counts and latest run."""
    where, params = (" where source_id = ?", [source_id]) if source_id else ("", [])
    counts = {r["source_id"]: r for r in _rows(
        conn, f"select source_id, count(*) as n, sum(status = 'removed') as removed from notices{where} "
              "group by source_id", params)}
    out = []
    for s in _rows(conn, "select * from sources" + (" where id = ?" if source_id else "") + " order by id", params):
        last = next(_rows(conn, "select * from runs where source_id = ? order by started_at desc, id desc limit 1",
                          [s["id"]]), None)
        count = counts.get(s["id"], {})
        out.append(SourceSummary(s["id"], s["name"] or s["id"], s.get("kind"), tuple(_json_list(s.get("start_urls"))),
                                 count.get("n") or 0, count.get("removed") or 0, last))
    return tuple(out)


def source_page(conn: sqlite3.Connection, source_id: str, today: date, now: datetime | None = None,
                limit: int = 500) -> SourcePage | None:
    summary = next(iter(sources(conn, source_id)), None)
    if summary is None:
        return None
    rows = _rows(conn, "select * from notices where source_id = ? order by coalesce(published_at, '') desc, id desc "
                       "limit ?", [source_id, limit])
    runs = tuple(_rows(conn, "select * from runs where source_id = ? order by started_at desc, id desc limit 20",
                       [source_id]))
    found = tuple(p for p in problems(conn, now or datetime.now(UTC)) if p.source_id == source_id)
    return SourcePage(summary, tuple(listed(r, today) for r in rows), runs, found)


def problems(conn: sqlite3.Connection, now: datetime) -> tuple[SourceProblem, ...]:
    """Sources with problems, judged as the digests judge them (monitor/digest/sources.py)."""
    return source_problems(read_source_facts(_StoreView(conn), now), now, SILENT_AFTER_DAYS)


class _StoreView:
    """The two reads `read_source_facts` asks of a store, over the read-only connection."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.db = Database(conn)

    def rows(self, sql: str, params: list[Any] | None = None) -> Iterator[dict[str, Any]]:
        return _rows(self.db.conn, sql, params or [])


def _rows(conn: sqlite3.Connection, sql: str, params: list[Any] | tuple[()] = ()) -> Iterator[dict[str, Any]]:
    cursor = conn.execute(sql, params)
    names = [d[0] for d in cursor.description]
    return (dict(zip(names, values, strict=True)) for values in cursor)


def _scalar(conn: sqlite3.Connection, sql: str) -> int:
    return int(conn.execute(sql).fetchone()[0] or 0)


def _event(r: dict[str, Any]) -> Event:
    return Event(r["id"], r["kind"], r["notice_id"], r["source_id"], r.get("url") or "", r["detected_at"],
                 r["summary"] or "", tuple(_json_list(r.get("changes"))), r.get("diff") or "",
                 bool(r.get("window_open")))


def _json_list(raw: Any) -> list[Any]:
    try:
        value = json.loads(raw or "[]")
    except (TypeError, ValueError):
        return [raw]
    return value if isinstance(value, list) else [value]
