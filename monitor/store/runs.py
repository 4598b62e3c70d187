"""Sources and runs: the store's record of what was crawled, when, and how it ended."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from monitor.store.connection import Connection
from monitor.store.records import RUN_COUNTERS, utcnow


class RunLog(Connection):
    def sync_source(self, source_id: str, name: str, kind: str, start_urls: Iterable[str]) -> None:
        now = utcnow()
        existing = self._one("select first_seen from sources where id = ?", [source_id])
        record = {"id": source_id, "name": name, "kind": kind, "start_urls": json.dumps(list(start_urls)),
                  "first_seen": existing["first_seen"] if existing else now, "updated_at": now}
        with self._write():
            self.db["sources"].upsert(record, pk="id")

    def start_run(self, source_id: str, mode: str = "incremental") -> int:
        record = {"source_id": source_id, "started_at": utcnow(), "status": "running", "mode": mode,
                  "pages": 0, "requests": 0, "problems": "[]", "stats": "{}", **dict.fromkeys(RUN_COUNTERS, 0)}
        with self._write():
            return int(self.db["runs"].insert(record).last_pk)

    def finish_run(self, run_id: int, status: str, pages: int, problems: list[str], stats: dict[str, Any],
                   requests: int | None = None) -> None:
        update = {"finished_at": utcnow(), "status": status, "pages": pages,
                  "problems": json.dumps(problems, ensure_ascii=False),
                  "stats": json.dumps(stats, ensure_ascii=False, default=str)}
        if requests is not None:
            update["requests"] = requests
        with self._write():
            self.db["runs"].update(run_id, update)

    def abort_orphaned_runs(self, source_id: str, reason: str = "the crawl's process ended without closing it",
                            recheck: bool = False) -> int:
        """Runs of this source still marked `running`: their process died (the caller holds the
        source's crawl lock — or, with `recheck`, its re-check lock — so no live process owns
        them). Mark them aborted; return how many."""
        now = utcnow()
        mode = "mode = 'recheck'" if recheck else "mode != 'recheck'"
        with self._write():
            rows = list(self.db.query("select id, problems from runs where source_id = ? and status = 'running' "
                                      f"and {mode}", [source_id]))
            for row in rows:
                problems = [*json.loads(row["problems"] or "[]"), f"aborted: {reason}"]
                self.db["runs"].update(row["id"], {"status": "aborted", "finished_at": now,
                                                   "problems": json.dumps(problems, ensure_ascii=False)})
        return len(rows)

    def full_sweep_due(self, source_id: str, every_seconds: float, now: datetime | None = None) -> bool:
        """True when the source never completed a crawl, or its last completed full crawl is older
        than `every_seconds`: incremental crawls cannot see edits to notices off page 1."""
        row = self._one("select max(started_at) as last from runs where source_id = ? and status = 'completed' "
                        "and mode = 'full'", [source_id])
        if row is None or row["last"] is None:
            return True
        last = datetime.fromisoformat(row["last"])
        return ((now or datetime.now(UTC)) - last).total_seconds() >= every_seconds

    def run(self, run_id: int) -> dict[str, Any]:
        return self._one("select * from runs where id = ?", [run_id]) or {}

    def _bump(self, run_id: int | None, *counters: str) -> None:
        if run_id is not None and counters:
            sets = ", ".join(f"[{c}] = coalesce([{c}], 0) + 1" for c in counters)
            self.db.execute(f"update runs set {sets} where id = ?", [run_id])

