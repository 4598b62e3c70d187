"""Store benchmark: search, `status` and digest latency on a large store (bench/fill_store.py).

    .venv/bin/python bench/store_bench.py [--notices 100000] [--repeat 20] [--json]

The store is the cached fixture (built on first use; bench/.cache/). Every figure is warm: one
untimed call first, then REPEAT timed calls in this process; median and p95 in milliseconds.
- search: `monitor.store.search.search` for representative queries (a 2-character word, a word in nearly
  every notice, a long phrase, several words, field filters, a window open on a date).
- status: `noticewatch status --json` as users run it, a fresh interpreter each time, with a config
  naming every source (STATUS_CLI_RUNS runs after one untimed; median and p95): the figure held to
  the goal, as start-up (imports) is most of it. `monitor.daemon.status.read_status` alone, warm in this
  process, is reported beside it.
- digest: `monitor.digest.run.make_digest` (the store reads and the pure builder) over the events of
  the week before the store's "now", and `monitor.digest.build.build_digest` alone on the same inputs
  preloaded (the events, and the notices make_digest loads for them).
Goals (issue "Scale and speed"): search < 200 ms, status < 200 ms (end to end, median), digest build
< 1 s.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.fill_store import FillSummary, cached_store  # noqa: E402

STATUS_CLI_RUNS = 15


def queries(today: str) -> list[tuple[str, str, dict[str, Any]]]:
    """(label, query text, Filters keywords): what users type, the cheap and the expensive."""
    return [
        ("2-char word 横琴", "横琴", {}),
        ("common word 整改 (nearly all)", "整改", {}),
        ("long phrase", "推进百县千镇万村高质量发展工程", {}),
        ("two words 金湾 巡察", "金湾 巡察", {}),
        ("traditional 橫琴 + --level", "橫琴", {"level": "巡察"}),
        ("common word + --open-on", "整改", {"open_on": today}),
        ("filters only --org --team", "", {"org": "交通运输局", "team": "机动巡察组"}),
        ("filter only --open-on", "", {"open_on": today}),
    ]


def timed(fn: Callable[[], Any], repeat: int) -> tuple[dict[str, float], Any]:
    result = fn()  # warm: caches, the OS page cache, SQLite's page cache
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    p95 = samples[min(len(samples) - 1, max(0, round(0.95 * len(samples)) - 1))]
    return {"median_ms": statistics.median(samples), "p95_ms": p95, "max_ms": samples[-1]}, result


def write_config(summary: FillSummary, folder: Path) -> Path:
    """A config naming the fixture's sources, scheduled as the fixture crawled them."""
    from monitor.store.db import Store

    with Store(summary.path) as store:
        rows = list(store.rows("select id, name, start_urls from sources order by id"))
    sources = [{"id": r["id"], "name": r["name"], "kind": "nfcms", "start_urls": json.loads(r["start_urls"]),
                "schedule": "every 6h"} for r in rows]
    path = folder / "config.yaml"
    path.write_text(json.dumps({"sources": sources}, ensure_ascii=False), encoding="utf-8")
    return path


def measure(notices: int = 100_000, repeat: int = 20, refresh: bool = False) -> dict[str, Any]:
    from monitor.config.loader import load_config
    from monitor.daemon.status import read_status
    from monitor.store.db import Store
    from monitor.store.search import Filters, search

    summary = cached_store(notices, refresh=refresh)
    now = datetime.fromisoformat(summary.now)
    today = now.date().isoformat()
    db = Path(summary.path)
    out: dict[str, Any] = {"notices": notices, "store": {
        "path": summary.path, "mb": round(db.stat().st_size / 2**20), "fill_seconds": summary.seconds,
        "versions": summary.versions, "runs": summary.runs, "events": summary.events, "now": summary.now}}
    with tempfile.TemporaryDirectory() as tmp, Store(db) as store:
        config_path = write_config(summary, Path(tmp))
        config = load_config(config_path)
        out["search"] = []
        for label, text, filters in queries(today):
            figures, hits = timed(lambda t=text, f=filters: search(store.db, t, Filters(**f), 20), repeat)
            total = _match_count(store, text, Filters(**filters))
            out["search"].append({"label": label, "query": text, "filters": filters, "hits": len(hits),
                                  "matching": total, "top": hits[0].title if hits else None, **figures})
        figures, report = timed(lambda: read_status(db, config, now), repeat)
        out["status"] = {**figures, "sources": len(report.sources),
                         "health": _tally(s.health for s in report.sources)}
        out["status_cli"] = _status_cli(db, config_path, STATUS_CLI_RUNS if repeat > 5 else repeat)
        out["digest"] = _digest(store, now, repeat)
    return out


def _match_count(store: Any, text: str, filters: Any) -> int:
    """How many notices the query matches in all (to show how big the candidate set was)."""
    from monitor.store.search import FTS_TABLE, _filter_sql, match_expression

    clauses, params = _filter_sql(filters)
    expression = match_expression(text) if text.strip() else None
    where = "".join(" and " + c for c in clauses)
    if expression:
        sql = (f"select count(*) from {FTS_TABLE} join notices n on n.id = {FTS_TABLE}.rowid "
               f"where {FTS_TABLE} match ?{where}")
        params = [expression, *params]
    else:
        sql = f"select count(*) from notices n where 1{where}"
    return store.db.execute(sql, params).fetchone()[0]


def _tally(values: Any) -> dict[str, int]:
    out: dict[str, int] = {}
    for v in values:
        out[v] = out.get(v, 0) + 1
    return out


_TIMER = """
import json, statistics, subprocess, sys, time
argv, repeat = json.loads(sys.argv[1]), int(sys.argv[2])
def run(cmd):
    samples = []
    for _ in range(repeat + 1):  # one warm run first
        started = time.perf_counter()
        subprocess.run(cmd, capture_output=True, check=True)
        samples.append((time.perf_counter() - started) * 1000)
    samples = sorted(samples[1:])
    return samples
print(json.dumps({"cli": run(argv), "bare": run([sys.executable, "-c", "pass"])}))
"""


def _status_cli(db: Path, config: Path, repeat: int) -> dict[str, Any]:
    """`noticewatch status --json` as users run it (a fresh interpreter each time).

    Timed from a small process, as a shell starts it: started from this process (holding the 100k
    store and its query results) every child, even `python -c pass`, starts ~1.5x slower.
    With Python's bytecode cache, as users have it: a PYTHONDONTWRITEBYTECODE inherited from a
    sandbox or CI would have every run compile the project's modules again (~40 ms more)."""
    argv = [sys.executable, "-m", "monitor", "status", "--json", "--config", str(config), "--db", str(db)]
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    out = subprocess.run([sys.executable, "-c", _TIMER, json.dumps(argv), str(repeat)], capture_output=True,
                         check=True, text=True, cwd=ROOT, env=env)
    times = json.loads(out.stdout)
    cli, bare = times["cli"], times["bare"]
    p95 = cli[min(len(cli) - 1, max(0, round(0.95 * len(cli)) - 1))]
    return {"median_ms": statistics.median(cli), "p95_ms": p95, "max_ms": cli[-1], "runs": repeat,
            "python_startup_ms": statistics.median(bare)}


def _digest(store: Any, now: datetime, repeat: int) -> dict[str, Any]:
    """The week's digest: end to end from the store, and the pure builder alone."""
    try:
        from monitor.config.digest import DigestConfig
        from monitor.digest.build import build_digest
        from monitor.digest.run import make_digest
    except ImportError as exc:
        return {"available": False, "why": f"monitor.digest.build: {exc}"}
    from monitor.digest.build import CHINA

    since = (now - timedelta(days=7)).isoformat()
    dconf = DigestConfig()
    events = store.events(since=since)
    # A slow digest is timed twice (after one warm call), not REPEAT times: figures of seconds.
    rounds = 2
    full, digest = timed(lambda: make_digest(store, events, now, dconf, scope=f"events since {since}"), rounds)
    # What make_digest hands the builder: the events' notices and those whose window may be closing.
    today = now.astimezone(CHINA).date()
    notices = store.notices_for_digest((e.notice_id for e in events), today.isoformat(),
                                       (today + timedelta(days=dconf.closing_soon_days)).isoformat(), None)
    pure, _ = timed(lambda: build_digest(events, notices, now, closing_soon_days=dconf.closing_soon_days), rounds)
    return {"available": True, "events": len(events), "notices": len(notices), "counts": digest.counts,
            "make_digest": full, "build_digest": pure}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--notices", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=20)
    ap.add_argument("--refresh", action="store_true", help="rebuild the cached store first")
    ap.add_argument("--json", action="store_true", help="print the figures as one JSON line")
    args = ap.parse_args()
    f = measure(args.notices, args.repeat, args.refresh)
    if args.json:
        print(json.dumps(f, ensure_ascii=False))
        return
    s = f["store"]
    print(f"store: {f['notices']} notices, {s['versions']} versions, {sum(s['events'].values())} events, "
          f"{s['runs']} runs, {s['mb']} MB ({s['path']})")
    print(f"{'search':<34}{'matching':>9}{'median ms':>11}{'p95 ms':>9}")
    for q in f["search"]:
        print(f"{q['label']:<34}{q['matching']:>9}{q['median_ms']:>11.1f}{q['p95_ms']:>9.1f}")
    cli = f["status_cli"]
    print(f"status (`noticewatch status --json`, end to end, {cli['runs']} runs): median {cli['median_ms']:.0f} ms, "
          f"p95 {cli['p95_ms']:.0f} ms (python -c pass: {cli['python_startup_ms']:.0f} ms)")
    st = f["status"]
    print(f"  of which read_status, warm: median {st['median_ms']:.1f} ms, p95 {st['p95_ms']:.1f} ms; "
          f"health {st['health']}")
    d = f["digest"]
    if not d["available"]:
        print(f"digest: not available yet ({d['why']})")
    else:
        print(f"digest over {d['events']} events of the last week: make_digest median "
              f"{d['make_digest']['median_ms']:.0f} ms; build_digest alone on them and {d['notices']} notices "
              f"{d['build_digest']['median_ms']:.0f} ms; counts {d['counts']}")


if __name__ == "__main__":
    main()
