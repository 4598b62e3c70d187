"""What the no-change check before a crawl keeps (monitor/crawl/precheck.py): robots.txt per origin
with its expiry, and per source the validators of the list its last clean crawl read.

Validators are only ever written for a crawl that completed with no problem (the caller decides),
and are deleted otherwise: a 304 behind a failed detail page would never retry it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from monitor.store.records import RUN_COUNTERS, utcnow
from monitor.store.runs import RunLog


@dataclass(frozen=True)
class CachedRobots:
    origin: str  # scheme://host:port
    status: int  # the HTTP status robots.txt answered (2xx: rules; 4xx: none, everything allowed)
    rules: str  # the text to obey (crawler/robots.py robots_rules)
    expires_at: str  # ISO 8601 UTC


@dataclass(frozen=True)
class ListValidators:
    source_id: str
    spec_fingerprint: str  # monitor.crawl.precheck.spec_fingerprint of the spec crawled
    probe_url: str  # the list the crawl read first (page 1, or the NFCMS column JSON)
    etag: str | None
    last_modified: str | None
    body_sha256: str  # of the decoded body, for servers that send no validators


class CheckStore(RunLog):
    def cached_robots(self, origin: str, now: str) -> CachedRobots | None:
        """The robots.txt of `origin` while fresh at `now` (ISO 8601 UTC), else None."""
        row = self._one("select * from robots_cache where origin = ? and expires_at > ?", [origin, now])
        return None if row is None else CachedRobots(row["origin"], row["status"], row["rules"], row["expires_at"])

    def save_robots(self, origin: str, status: int, rules: str, fetched_at: str, expires_at: str) -> None:
        with self._write():
            self.db.execute(
                "insert into robots_cache (origin, status, rules, fetched_at, expires_at) values (?, ?, ?, ?, ?) "
                "on conflict (origin) do update set status = excluded.status, rules = excluded.rules, "
                "fetched_at = excluded.fetched_at, expires_at = excluded.expires_at",
                [origin, status, rules, fetched_at, expires_at],
            )

    def forget_robots(self, origin: str) -> None:
        with self._write():
            self.db.execute("delete from robots_cache where origin = ?", [origin])

    def list_validators(self, source_id: str) -> ListValidators | None:
        row = self._one("select * from list_validators where source_id = ?", [source_id])
        if row is None:
            return None
        return ListValidators(row["source_id"], row["spec_fingerprint"], row["probe_url"], row["etag"],
                              row["last_modified"], row["body_sha256"])

    def save_list_validators(self, validators: ListValidators, run_id: int | None) -> None:
        record = {"source_id": validators.source_id, "spec_fingerprint": validators.spec_fingerprint,
                  "probe_url": validators.probe_url, "etag": validators.etag,
                  "last_modified": validators.last_modified, "body_sha256": validators.body_sha256,
                  "run_id": run_id, "saved_at": utcnow()}
        with self._write():
            self.db.execute(
                "insert or replace into list_validators (source_id, spec_fingerprint, probe_url, etag, "
                "last_modified, body_sha256, run_id, saved_at) values (?, ?, ?, ?, ?, ?, ?, ?)",
                list(record.values()),
            )

    def forget_list_validators(self, source_id: str) -> None:
        with self._write():
            self.db.execute("delete from list_validators where source_id = ?", [source_id])

    def run_was_clean(self, run_id: int | None) -> bool:
        """Whether run `run_id` completed with no problem and no failed detail page."""
        if run_id is None:
            return False
        row = self._one("select status, problems, failures from runs where id = ?", [run_id])
        return (row is not None and row["status"] == "completed" and not row["failures"]
                and json.loads(row["problems"] or "[]") == [])

    def record_check(self, source_id: str, requests: int, pages: int, stats: dict[str, Any]) -> int:
        """A no-change check as a completed run (mode "check"), in one transaction with the
        abort of runs a killed process left `running` (the caller holds the source's crawl lock)."""
        now = utcnow()
        with self._write():
            self.abort_orphaned_runs(source_id)
            return self._insert_row("runs", {
                "source_id": source_id, "started_at": stats.get("start_time", now), "finished_at": now,
                "status": "completed", "mode": "check", "pages": pages, "requests": requests, "problems": "[]",
                "stats": json.dumps(stats, ensure_ascii=False, default=str), **dict.fromkeys(RUN_COUNTERS, 0),
            })
