"""Benchmarks' own machinery at tiny sizes: bench/fill_store.py writes a consistent store (what the real
store would have written, index included); bench/fleet_bench.py runs end to end at N=3.

Not a benchmark: nothing here is timed (benchmarks are scripts, bench/run.py).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from bench.fill_store import check_store, fill_store
from monitor.store.db import Store
from monitor.store.search import Filters, search


def test_fill_store_is_consistent(tmp_path: Path) -> None:
    db = tmp_path / "bench.db"
    summary = fill_store(db, notices=500, sources=5, seed=3, runs_per_day=1)
    facts = check_store(db)
    assert facts["integrity"] == "ok"
    assert facts["notices"] == facts["indexed"] == 500
    assert facts["notices_without_version"] == 0
    assert facts["hengqin_found"] == facts["hengqin_occurs"] > 0  # 横琴: two characters
    assert summary.events["new"] == 500
    assert summary.versions > 500  # some notices were edited
    with Store(db) as store:
        kinds = {row["kind"] for row in store.rows("select distinct kind from events")}
        assert {"new", "changed"} <= kinds
        assert store.count("runs") == summary.runs
        # Every changed event is a stored version, and the index follows the current text.
        changed = next(store.rows("select n.id, n.title from notices n where version_count > 1 limit 1"))
        hits = search(store.db, changed["title"][:6], Filters(), limit=1000)
        assert changed["id"] in {h.id for h in hits}


def test_fleet_bench_prints_its_figures_and_stores_every_notice() -> None:
    """bench/fleet_bench.py at N=3, first crawl only: its server, config, crawl child and store check
    work end to end (the figures themselves are the bench's business, not asserted here)."""
    root = Path(__file__).resolve().parent.parent
    out = subprocess.run([sys.executable, str(root / "bench" / "fleet_bench.py"), "--sources", "3",
                          "--phases", "first", "--check", "--json"],
                         capture_output=True, text=True, cwd=root, timeout=120)
    assert out.returncode == 0, out.stderr[-3000:]
    assert "N=3 first crawl: wall " in out.stderr and "ms/source" in out.stderr
    assert "| 3 | first crawl |" in out.stderr  # the closing table
    (phase,) = json.loads(out.stdout.strip().splitlines()[-1])["phases"]
    assert phase["exit_codes"] == [0]
    assert phase["store"]["expected"] == 15 and phase["store"]["stored"] == 15
    assert phase["store"]["duplicates"] == 0 and phase["store"]["short_sources"] == 0
    assert phase["requests"] >= 3 + 15  # at least a list page or column JSON per source, and 5 notices each
    assert phase["by_kind_per_source"]["detail"] == 5
    assert phase["max_inflight_per_host"] == 1
    assert phase["cpu_s"] > 0 and phase["maxrss_mb"] > 0


def test_writer_bench_stores_every_notice_and_prints_its_figures() -> None:
    """bench/writer_bench.py at 2 × 5 notices: rendered, parsed, written by the store writer; it
    exits non-zero when a notice is missing from the store."""
    root = Path(__file__).resolve().parent.parent
    out = subprocess.run([sys.executable, str(root / "bench" / "writer_bench.py"), "--sources", "2", "--notices", "5",
                          "--rounds", "1", "--statements"], capture_output=True, text=True, cwd=root, timeout=120)
    assert out.returncode == 0, out.stderr[-3000:]
    assert "store writer: 10 notices" in out.stdout and "ms/notice" in out.stdout
    assert "insert into notice_search" in out.stdout
