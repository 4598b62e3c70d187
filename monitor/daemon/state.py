"""What the daemon keeps in SQLite so a restart resumes where it stopped (tables from m004_daemon_state).

- `daemon_jobs`: per job (crawl:<source>, recheck, digest) the next due time, the schedule it was
  computed with, the last outcome and the failure streak that drives backoff;
- `domain_pauses`: registered domains that served a challenge or ban page, and until when to leave
  them alone;
- `daemon`: one row naming the running daemon (pid, heartbeat), so a second daemon on the same
  database refuses to start and `noticewatch status` can tell whether anyone is crawling; and
  its crawl slots as last seen (in flight, queued, the oldest wait, a backlog: m015).

Plain SQL on the store's connection; every write is one statement (atomic on its own).
"""

from __future__ import annotations

import json
import os
import socket
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # `status` imports this module's helpers without sqlite-utils (~35 ms)
    from sqlite_utils import Database

    from monitor.crawl.slots import Backlog


class DaemonBusy(RuntimeError):
    """Another daemon is alive on this database; one line naming it."""


def now_utc() -> datetime:
    return datetime.now(UTC)


def iso(moment: datetime | None) -> str | None:
    return moment.astimezone(UTC).isoformat() if moment else None


def parse_iso(text: str | None) -> datetime | None:
    if not text:
        return None
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@dataclass(frozen=True)
class JobState:
    job: str
    source_id: str | None = None
    schedule: str | None = None
    period: float | None = None  # seconds between regular runs of `schedule`, for `status`
    next_due: datetime | None = None
    last_started: datetime | None = None
    last_finished: datetime | None = None
    last_status: str | None = None
    last_run_id: int | None = None
    consecutive_failures: int = 0
    last_error: str | None = None


@dataclass(frozen=True)
class Pause:
    domain: str
    paused_at: datetime
    until: datetime
    source_id: str | None
    reason: str


@dataclass(frozen=True)
class DaemonRecord:
    pid: int
    host: str
    config: str | None
    started_at: datetime
    heartbeat_at: datetime | None
    stopped_at: datetime | None
    stop_reason: str | None


class DaemonState:
    def __init__(self, db: Database):
        self.db = db

    # -- jobs ---------------------------------------------------------------------------------
    def job(self, key: str) -> JobState | None:
        row = self._one("select * from daemon_jobs where job = ?", [key])
        return job_from_row(row) if row else None

    def save_job(self, state: JobState) -> None:
        self.db.execute(
            "insert or replace into daemon_jobs (job, source_id, schedule, period, next_due, last_started, "
            "last_finished, last_status, last_run_id, consecutive_failures, last_error, updated_at) "
            "values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                state.job,
                state.source_id,
                state.schedule,
                state.period,
                iso(state.next_due),
                iso(state.last_started),
                iso(state.last_finished),
                state.last_status,
                state.last_run_id,
                state.consecutive_failures,
                state.last_error,
                iso(now_utc()),
            ],
        )

    def last_run(self, source_id: str, recheck: bool = False) -> dict[str, Any] | None:
        """The newest crawl run (or re-check run) of a source, whatever started it."""
        mode = "= 'recheck'" if recheck else "is not 'recheck'"
        return self._one(
            f"select * from runs where source_id = ? and mode {mode} order by id desc limit 1", [source_id]
        )

    # -- paused domains -----------------------------------------------------------------------
    def pause(self, domain: str, until: datetime, source_id: str | None, reason: str) -> None:
        self.db.execute(
            "insert or replace into domain_pauses (domain, paused_at, paused_until, source_id, reason) "
            "values (?, ?, ?, ?, ?)",
            [domain, iso(now_utc()), iso(until), source_id, reason],
        )

    def pauses(self, now: datetime) -> dict[str, Pause]:
        rows = self.db.query("select * from domain_pauses where paused_until > ?", [iso(now)])
        return {r["domain"]: pause_from_row(r) for r in rows}

    # -- the daemon itself --------------------------------------------------------------------
    def claim(self, config: str | None, stale_after: float) -> DaemonRecord | None:
        """Register this process as the daemon; return the previous record if it did not stop cleanly.

        Raises DaemonBusy when another live daemon holds the database.
        """
        now = now_utc()
        previous = self.record()
        if previous and previous.stopped_at is None and previous.pid != os.getpid():
            fresh = previous.heartbeat_at and (now - previous.heartbeat_at).total_seconds() < stale_after
            if fresh and previous.host == socket.gethostname() and pid_alive(previous.pid):
                raise DaemonBusy(
                    f"another noticewatch daemon (pid {previous.pid}, started {iso(previous.started_at)}) "
                    "is running on this database; stop it first"
                )
        self.db.execute(
            "insert or replace into daemon (id, pid, host, config, started_at, heartbeat_at, stopped_at, "
            "stop_reason) values (1, ?, ?, ?, ?, ?, null, null)",
            [os.getpid(), socket.gethostname(), config, iso(now), iso(now)],
        )
        return previous if previous and previous.stopped_at is None else None

    def heartbeat(self) -> None:
        self.db.execute(
            "update daemon set heartbeat_at = ? where id = 1 and pid = ?", [iso(now_utc()), os.getpid()]
        )

    def save_backlog(self, backlog: Backlog, since: datetime | None) -> None:
        """The crawl slots' figures (monitor.daemon.backlog), one statement (m015 columns)."""
        self.db.execute(
            "update daemon set in_flight = ?, slot_limit = ?, queued = ?, oldest_wait = ?, backlog_since = ?, "
            "backlog_at = ? where id = 1 and pid = ?",
            [backlog.in_flight, backlog.limit, backlog.queued, round(backlog.oldest_wait, 1), iso(since),
             iso(now_utc()), os.getpid()],
        )

    def release(self, reason: str) -> None:
        now = iso(now_utc())
        self.db.execute(
            "update daemon set stopped_at = ?, heartbeat_at = ?, stop_reason = ? where id = 1 and pid = ?",
            [now, now, reason, os.getpid()],
        )

    def record(self) -> DaemonRecord | None:
        row = self._one("select * from daemon where id = 1", [])
        return daemon_from_row(row) if row else None

    def abort_running_runs(
        self,
        since: datetime,
        reason: str,
        source_ids: list[str] | None = None,
        mode: str | None = None,
        after_id: int = 0,
    ) -> int:
        """Finalise run rows left `running` (a crawl that did not close in time, a killed daemon)."""
        clauses = ["status = 'running'", "started_at >= ?", "id > ?"]
        params: list[Any] = [since.astimezone(UTC).isoformat(timespec="seconds"), after_id]
        if source_ids is not None:
            clauses.append(f"source_id in ({', '.join('?' for _ in source_ids)})")
            params.extend(source_ids)
        if mode is not None:
            clauses.append("mode = ?")
            params.append(mode)
        where = " and ".join(clauses)
        ids = [r["id"] for r in self.db.query(f"select id from runs where {where}", params)]
        for run_id in ids:
            row = self._one("select problems from runs where id = ?", [run_id]) or {}
            problems = [*json.loads(row.get("problems") or "[]"), f"aborted: {reason}"]
            self.db.execute(
                "update runs set status = 'aborted', finished_at = ?, problems = ? where id = ?",
                [iso(now_utc()), json.dumps(problems, ensure_ascii=False), run_id],
            )
        return len(ids)

    def max_run_id(self) -> int:
        row = self._one("select max(id) as id from runs", [])
        return int(row["id"] or 0) if row else 0

    def _one(self, sql: str, params: list[Any]) -> dict[str, Any] | None:
        return next(iter(self.db.query(sql, params)), None)


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def job_from_row(row: dict[str, Any]) -> JobState:
    return JobState(
        job=row["job"],
        source_id=row["source_id"],
        schedule=row["schedule"],
        period=row.get("period"),
        next_due=parse_iso(row["next_due"]),
        last_started=parse_iso(row["last_started"]),
        last_finished=parse_iso(row["last_finished"]),
        last_status=row["last_status"],
        last_run_id=row["last_run_id"],
        consecutive_failures=int(row["consecutive_failures"] or 0),
        last_error=row["last_error"],
    )


def pause_from_row(row: dict[str, Any]) -> Pause:
    return Pause(
        row["domain"],
        parse_iso(row["paused_at"]),
        parse_iso(row["paused_until"]),  # type: ignore[arg-type]
        row["source_id"],
        row["reason"] or "",
    )


def daemon_from_row(row: dict[str, Any]) -> DaemonRecord:
    return DaemonRecord(
        row["pid"],
        row["host"] or "",
        row["config"],
        parse_iso(row["started_at"]),  # type: ignore[arg-type]
        parse_iso(row["heartbeat_at"]),
        parse_iso(row["stopped_at"]),
        row["stop_reason"],
    )
