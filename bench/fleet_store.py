"""What bench/fleet_bench.py reads back from the crawl's SQLite store (read-only, while it may be written).

`check_store`: every notice of every fleet source stored exactly once, by URL (the server's pages
are deterministic: host i's posts come from `fleet_site(i)`); a source short of its notices is
listed with its last run's status and problems, and counted as explained when that run says
something went wrong (not completed, or problems), unexplained otherwise.
"""

from __future__ import annotations

import collections
import contextlib
import json
import sqlite3
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

from bench.fleet_server import COLUMN, address, fleet_site


def source_id(index: int) -> str:
    return f"fleet{index:05d}"


@contextlib.contextmanager
def read_only(db: Path) -> Iterator[sqlite3.Connection]:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30)
    try:
        yield conn
    finally:
        conn.close()


@cache
def _post_ids(index: int, notices: int) -> tuple[int, ...]:
    return tuple(n.post_id for n in fleet_site(index, notices).notices)


def expected_urls(n: int, port: int, notices: int) -> dict[str, set[str]]:
    """source id → the URLs of its notices (~1 ms a source to generate, cached)."""
    return {
        source_id(i): {f"http://{address(i)}:{port}{COLUMN}content/post_{pid}.html" for pid in _post_ids(i, notices)}
        for i in range(n)
    }


def last_run_id(db: Path) -> int:
    if not db.exists():
        return 0
    with read_only(db) as conn:
        return conn.execute("select coalesce(max(id), 0) from runs").fetchone()[0]


def finished_sources(db: Path, after_id: int) -> int:
    """Sources with a finished run (any status but running) newer than run `after_id`."""
    if not db.exists():
        return 0
    try:
        with read_only(db) as conn:
            return conn.execute("select count(distinct source_id) from runs where id > ? and status != 'running'",
                                (after_id,)).fetchone()[0]
    except sqlite3.OperationalError:  # not created yet (migrations running)
        return 0


def runs_since(conn: sqlite3.Connection, after_id: int) -> dict[str, Any]:
    rows = conn.execute("select status, count(*), count(distinct source_id) from runs where id > ? group by status",
                        (after_id,)).fetchall()
    modes = conn.execute("select coalesce(mode, '?'), count(*) from runs where id > ? group by 1", (after_id,))
    return {"runs": sum(r[1] for r in rows), "by_status": {r[0]: r[1] for r in rows}, "by_mode": dict(modes),
            "sources_with_run": conn.execute("select count(distinct source_id) from runs where id > ?",
                                             (after_id,)).fetchone()[0]}


def check_store(db: Path, n: int, port: int, notices: int, after_run: int = 0) -> dict[str, Any]:
    """Notices stored vs expected, duplicates, versions, doc types, and the runs newer than `after_run`."""
    expected = expected_urls(n, port, notices)
    with read_only(db) as conn:
        stored: dict[str, list[str]] = collections.defaultdict(list)
        for sid, url in conn.execute("select source_id, url from notices"):
            stored[sid].append(url)
        doc_types = dict(conn.execute("select coalesce(doc_type, 'none'), count(*) from notices group by 1"))
        multi_version = conn.execute("select count(*) from (select notice_id from notice_versions "
                                     "group by notice_id having count(*) > 1)").fetchone()[0]
        found = duplicates = unexpected = 0
        short: list[str] = []
        for sid, urls in expected.items():
            got = stored.get(sid, [])
            counts = collections.Counter(got)
            found += len(urls & counts.keys())
            duplicates += sum(c - 1 for u, c in counts.items() if u in urls and c > 1)
            unexpected += sum(1 for u in got if u not in urls)
            if not urls <= counts.keys():
                short.append(sid)
        unexplained, described = 0, []
        for sid in short:
            row = conn.execute("select status, problems from runs where source_id = ? order by id desc limit 1",
                               (sid,)).fetchone()
            status, problems = (row[0], json.loads(row[1] or "[]")) if row else ("no run", [])
            if status == "completed" and not problems:
                unexplained += 1
            if len(described) < 10:
                missing = len(expected[sid] - set(stored.get(sid, [])))
                described.append(f"{sid}: {missing} missing, last run {status}"
                                 + (f", problems: {'; '.join(problems)[:300]}" if problems else ", no problem stated"))
        runs = runs_since(conn, after_run)
    return {"expected": sum(len(u) for u in expected.values()), "stored": found, "duplicates": duplicates,
            "unexpected": unexpected, "short_sources": len(short), "unexplained_short_sources": unexplained,
            "missing_sources": described, "notices_with_several_versions": multi_version,
            "doc_types": doc_types, **runs}
