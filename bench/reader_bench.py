"""How long the web reader's pages take on a large store: each page served by the real Datasette app
(in-process ASGI client, no sockets), repeated, median and worst printed.

    .venv/bin/python bench/reader_bench.py [--notices 100000] [--repeat 5]

The store is bench/fill_store.py's fixture (built on first use under bench/.cache/, reused after);
"today" is the store's own present (its `now`), so windows are open on it as they were when filled.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import sqlite3
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.fill_store import cached_store  # noqa: E402
from monitor.reader.server import build_datasette  # noqa: E402
from monitor.window import china_today  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notices", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    summary = cached_store(args.notices)
    db = Path(summary.path)
    today = china_today(dt.datetime.fromisoformat(summary.now))
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    changed = conn.execute("select notice_id from events where kind = 'changed' order by id desc limit 1").fetchone()
    source = conn.execute("select id from sources order by id limit 1").fetchone()
    conn.close()
    datasette = build_datasette(db, lambda: today)
    pages = ["/", f"/notices/{changed[0]}", "/search?q=横琴", "/search?q=整改", "/sources", f"/sources/{source[0]}"]
    print(f"store: {summary.notices} notices, {summary.versions} versions, {sum(summary.events.values())} events, "
          f"{summary.sources} sources; today {today}")

    async def run() -> None:
        for path in pages:
            times = []
            for _ in range(args.repeat + 1):  # the first request warms Datasette's caches
                started = time.perf_counter()
                response = await datasette.client.get(path)
                times.append((time.perf_counter() - started) * 1000)
                if response.status_code != 200:
                    raise SystemExit(f"{path}: HTTP {response.status_code}")
            warm = times[1:]
            print(f"  {path:32} median {statistics.median(warm):7.1f} ms   worst {max(warm):7.1f} ms   "
                  f"(first {times[0]:.1f} ms)")

    asyncio.run(run())


if __name__ == "__main__":
    main()
