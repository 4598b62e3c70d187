"""Store writer benchmark: CPU per notice of the crawl's store writer, and what each statement costs.

    .venv/bin/python bench/writer_bench.py [--sources 10] [--notices 500] [--rounds 3] [--statements]

The replica's detail pages (bench/change_cycle.py's sites, as bench/crawl_bench.py serves them) are
rendered and parsed here once; their NoticeItems are then written into a fresh store by
monitor/store/writer.py's StoreWriter._write in batches of MAX_BATCH, on this thread (no reactor,
no GIL contention: the writer's own cost). Figure: CPU ms per notice (time.process_time), the
median of ROUNDS. `--statements` also times each SQL statement kind (a wrapper around the
connection; it adds its own overhead to the total).
"""

from __future__ import annotations

import argparse
import collections
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.change_cycle import build_sites  # noqa: E402
from crawler.items import NoticeItem  # noqa: E402
from crawler.parser import parse_html  # noqa: E402
from monitor.store.db import Store  # noqa: E402
from monitor.store.writer import MAX_BATCH, StoreWriter  # noqa: E402
from replica.portal import Portal  # noqa: E402

BASE = "http://127.0.0.1:8000"
FETCHED = "2026-12-03T00:00:00+00:00"


def notice_items(sources: int, notices: int) -> list[NoticeItem]:
    items = []
    for site in build_sites(sources, notices):
        portal = Portal([site])
        for notice in site.notices:
            path = site.detail_url(notice.post_id)
            page = portal.respond(path, BASE)
            url = BASE + path
            parsed = parse_html(page.body.decode("utf-8"), url, source_id=f"bench_{site.id}")
            items.append(NoticeItem(f"bench_{site.id}", url, parsed, FETCHED, f"{len(items):064x}"))
    return items


class TimedConnection:
    """A sqlite3 connection that adds each statement's CPU to `spent`, by its first words."""

    def __init__(self, conn: Any, spent: collections.Counter[str], calls: collections.Counter[str]):
        self._conn, self._spent, self._calls = conn, spent, calls

    def execute(self, sql: str, *args: Any) -> Any:
        started = time.process_time()
        try:
            return self._conn.execute(sql, *args)
        finally:
            key = " ".join(sql.split()[:3])[:48]
            self._spent[key] += time.process_time() - started
            self._calls[key] += 1

    def __getattr__(self, name: str) -> Any:
        return getattr(self._conn, name)


def one_round(items: list[NoticeItem], folder: Path, statements: bool) -> tuple[float, dict[str, tuple[float, int]]]:
    db = folder / f"w{time.monotonic_ns()}.db"
    store = Store(db, check_same_thread=False)
    for source_id in sorted({i.source_id for i in items}):
        store.sync_source(source_id, source_id, "nfcms", [BASE + "/"])
    run_id = store.start_run(items[0].source_id, mode="full")
    spent: collections.Counter[str] = collections.Counter()
    calls: collections.Counter[str] = collections.Counter()
    if statements:
        store.db.conn = TimedConnection(store.db.conn, spent, calls)  # type: ignore[assignment]
    writer = StoreWriter.__new__(StoreWriter)  # no thread: _write on this one
    writer.store, writer.run_id, writer.errors, writer.on_written = store, run_id, 0, lambda _: None
    started = time.process_time()
    for start in range(0, len(items), MAX_BATCH):
        writer._write(items[start:start + MAX_BATCH])
    cpu = time.process_time() - started
    if statements:
        store.db.conn = store.db.conn._conn  # type: ignore[attr-defined]
    stored, indexed = store.count("notices"), store.count("notice_versions")
    store.close()
    if writer.errors or stored != len(items) or indexed != len(items):
        raise SystemExit(f"writer_bench: {writer.errors} error(s), {stored} notices and {indexed} versions "
                         f"stored of {len(items)}")
    return cpu / len(items) * 1000, {k: (v / len(items) * 1000, calls[k]) for k, v in spent.most_common()}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sources", type=int, default=10)
    ap.add_argument("--notices", type=int, default=500, help="notices per source")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--statements", action="store_true", help="also time each kind of SQL statement")
    args = ap.parse_args()
    items = notice_items(args.sources, args.notices)
    with tempfile.TemporaryDirectory() as tmp:
        rounds = [one_round(items, Path(tmp), args.statements) for _ in range(max(1, args.rounds))]
    per_notice = [r[0] for r in rounds]
    print(f"store writer: {len(items)} notices in batches of {MAX_BATCH}; CPU ms per notice: median "
          f"{statistics.median(per_notice):.3f} (rounds {', '.join(f'{v:.3f}' for v in per_notice)})")
    if args.statements:
        for key, (ms, count) in rounds[-1][1].items():
            print(f"  {ms:7.3f} ms/notice  {count:>6} × {key}")


if __name__ == "__main__":
    main()
