"""bench/fill_store.py writes a consistent store: what the real store would have written, index included.

Not a benchmark: nothing here is timed (benchmarks are scripts, bench/run.py).
"""

from __future__ import annotations

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
