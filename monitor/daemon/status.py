"""`noticewatch status`: what the daemon is doing, read from another process while it writes.

The database is opened read-only (WAL lets readers run beside the daemon's writer) with a short busy
timeout, and read with a handful of indexed queries, so status stays fast on a months-old file.
Health is derived here, at read time, from runs, the daemon's job state and paused domains:

    ok       the last crawl completed and the next one is not overdue
    failing  the last crawl(s) failed (the count says how many in a row)
    blocked  the source's domain served a challenge or ban page and is paused, or the last run met one
    silent   no crawl for longer than twice its schedule's period (daemon down, or stuck)
    pending  never crawled yet
    disabled `enabled: false` in the config

`noticewatch status` is run from scripts and other shells, so this module imports little: sqlite3,
no sqlite-utils (monitor.daemon.state imports it for type checking only), no Scrapy (paused
domains are matched with crawler.domains, which imports none).
"""

from __future__ import annotations

import functools
import json
import sqlite3
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from crawler.domains import registered_domain
from monitor.daemon.state import now_utc, parse_iso, pid_alive
from monitor.schedule import parse_schedule

if TYPE_CHECKING:
    from monitor.config.loader import Config

SILENT_FACTOR = 2.0
SILENT_GRACE = 60.0  # seconds on top, so jitter and a slow crawl do not flap a source to silent
HEARTBEAT_STALE = 30.0
RECENT_RUNS = 20


class StatusError(RuntimeError):
    """The database cannot be read; one line naming the file."""


@dataclass(frozen=True)
class DaemonInfo:
    running: bool
    pid: int
    host: str
    started_at: str | None
    heartbeat_at: str | None
    stopped_at: str | None
    stop_reason: str | None
    # The crawl slots as the daemon last saved them (m015; None before it or before a first save).
    in_flight: int | None = None
    slot_limit: int | None = None
    queued: int | None = None
    oldest_wait: float | None = None  # seconds, as of `checked_at` (the saved wait plus the time since)
    backlog_since: str | None = None  # set while a backlog lasts (monitor/daemon/backlog.py)
    backlog_at: str | None = None  # when the daemon saved these figures

    @property
    def backlog(self) -> bool:
        return self.running and self.backlog_since is not None


@dataclass(frozen=True)
class SourceStatus:
    id: str
    name: str
    enabled: bool
    schedule: str | None
    health: str
    reason: str  # why this health, one line
    last_started: str | None
    last_finished: str | None
    last_status: str | None  # running | completed | failed | aborted
    last_new: int
    last_changed: int
    next_due: str | None
    consecutive_failures: int
    paused_until: str | None
    notices: int
    removed: int
    runs: int
    failed_runs: int


@dataclass(frozen=True)
class StatusReport:
    checked_at: str
    daemon: DaemonInfo | None
    sources: tuple[SourceStatus, ...]

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        if self.daemon is not None:
            out["daemon"]["backlog"] = self.daemon.backlog
        return out

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2)


def read_status(db_path: Path, config: Config | None, now: datetime | None = None) -> StatusReport:
    """Status of every configured source (and any other the database knows)."""
    now = now or now_utc()
    conn = connect_read_only(db_path)
    try:
        tables = {r[0] for r in conn.execute("select name from sqlite_master where type = 'table'")}
        if "runs" not in tables:
            raise StatusError(f"{db_path}: not a noticewatch database (no runs table)")
        daemon = _daemon(conn, now) if "daemon" in tables else None
        jobs = (
            _rows_by(conn, "select * from daemon_jobs where source_id is not null", "source_id")
            if "daemon_jobs" in tables
            else {}
        )
        pauses = (
            {
                r["domain"]: r
                for r in _rows(conn, "select * from domain_pauses where paused_until > ?", [now.isoformat()])
            }
            if "domain_pauses" in tables
            else {}
        )
        # Whole-history counts, read from indexes where the schema has them. Without
        # idx_notices_source_status, `status` is a column stored after body_text: every notice's
        # overflow pages are read (370 ms at 100k notices); without idx_runs_source_mode_status, a
        # plain scan of runs beats a walk of the (source_id, started_at) index plus a row lookup
        # per run (70 ms instead of 300 ms at 175k runs).
        indexes = {r[0] for r in conn.execute("select name from sqlite_master where type = 'index'")}
        notices = _rows_by(conn, "select source_id, count(*) as total from notices group by source_id", "source_id")
        removed_from = "notices" if "idx_notices_source_status" in indexes else "notices not indexed"
        for row in _rows(conn, f"select source_id, count(*) as removed from {removed_from} "
                               "where status = 'removed' group by source_id"):
            notices.setdefault(row["source_id"], {"total": 0})["removed"] = row["removed"]
        for row in notices.values():
            row["active"] = row["total"] - row.get("removed", 0)
        runs_from = "runs" if "idx_runs_source_mode_status" in indexes else "runs not indexed"
        runs = _rows_by(
            conn,
            f"select source_id, count(*) as runs, sum(status = 'failed') as failed from {runs_from} "
            "where mode is not 'recheck' group by source_id",
            "source_id",
        )
        names = {r["id"]: r["name"] for r in _rows(conn, "select id, name from sources")}
        configured = list(config.sources) if config else []
        ids = [s.id for s in configured] + sorted(set(names) - {s.id for s in configured})
        by_id = {s.id: s for s in configured}
        sources = []
        for source_id in ids:
            source = by_id.get(source_id)
            # Newest first in the order of idx_runs_source_id_started_at (its rowid breaks ties): a
            # walk down the index that stops after RECENT_RUNS rows. "order by id desc" alone made
            # SQLite fetch and sort every run the source ever had (54 ms a source at 4,000 runs).
            recent = _rows(
                conn,
                "select * from runs where source_id = ? and mode is not 'recheck' "
                "order by started_at desc, id desc limit ?",
                [source_id, RECENT_RUNS],
            )
            pause = _pause_for(source, pauses)
            sources.append(
                _source_status(
                    source_id,
                    source.name if source else names.get(source_id, source_id),
                    source.enabled if source else False,
                    source.schedule if source else None,
                    recent,
                    jobs.get(source_id),
                    pause,
                    notices.get(source_id, {}),
                    runs.get(source_id, {}),
                    now,
                )
            )
        return StatusReport(now.isoformat(timespec="seconds"), daemon, tuple(sources))
    except sqlite3.DatabaseError as exc:
        raise StatusError(f"{db_path}: cannot read the database ({exc})") from None
    finally:
        conn.close()


def connect_read_only(db_path: Path) -> sqlite3.Connection:
    if not Path(db_path).is_file():
        raise StatusError(f"{db_path}: no database yet (start `noticewatch daemon`, or pass --db PATH)")
    try:
        conn = sqlite3.connect(f"{Path(db_path).resolve().as_uri()}?mode=ro", uri=True, timeout=5)
        conn.execute("PRAGMA busy_timeout = 5000")
    except sqlite3.DatabaseError as exc:
        raise StatusError(f"{db_path}: cannot open the database read-only ({exc})") from None
    conn.row_factory = sqlite3.Row
    return conn


def assess_health(
    enabled: bool,
    last_run: dict[str, Any] | None,
    failures: int,
    blocked: str | None,
    paused_until: datetime | None,
    period: float | None,
    now: datetime,
) -> tuple[str, str]:
    """(health, reason) of one source; pure."""
    if not enabled:
        return "disabled", "enabled: false in the config" if period is not None else "not in the config"
    if paused_until is not None and paused_until > now:
        return (
            "blocked",
            f"domain paused until {paused_until.isoformat(timespec='seconds')}: {blocked or 'blocked'}",
        )
    if last_run is None:
        return "pending", "never crawled"
    if blocked:
        return "blocked", blocked
    if failures > 0:
        problem = next(iter(json.loads(last_run.get("problems") or "[]")), "")
        return "failing", f"{failures} failed run(s) in a row" + (f": {problem}" if problem else "")
    started = parse_iso(last_run.get("started_at"))
    if period is not None and started is not None:
        quiet = (now - started).total_seconds()
        if quiet > SILENT_FACTOR * period + SILENT_GRACE:
            return "silent", f"no crawl for {human_seconds(quiet)} (scheduled every {human_seconds(period)})"
    return "ok", ""


def failure_streak(recent: list[dict[str, Any]]) -> int:
    """Failed crawls in a row, newest first; running and aborted (interrupted) runs are skipped."""
    streak = 0
    for run in recent:
        if run["status"] in ("running", "aborted"):
            continue
        if run["status"] != "failed":
            break
        streak += 1
    return streak


def human_seconds(seconds: float) -> str:
    seconds = abs(seconds)
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds / size:.1f}{unit}".replace(".0" + unit, unit)
    return f"{seconds:.0f}s"


def _source_status(
    source_id: str,
    name: str,
    enabled: bool,
    schedule: str | None,
    recent: list[dict[str, Any]],
    job: dict[str, Any] | None,
    pause: dict[str, Any] | None,
    notices: dict[str, Any],
    runs: dict[str, Any],
    now: datetime,
) -> SourceStatus:
    last = recent[0] if recent else None
    finished = next((r for r in recent if r["status"] != "running"), None)
    failures = max(failure_streak(recent), int((job or {}).get("consecutive_failures") or 0))
    problems = json.loads(finished["problems"] or "[]") if finished else []
    blocked = next((p for p in problems if p.startswith("blocked:")), None)
    if pause:
        blocked = pause.get("reason") or blocked
    period = _job_period(job, schedule)
    health, reason = assess_health(
        enabled,
        finished or last,
        failures,
        blocked,
        parse_iso(pause["paused_until"]) if pause else None,
        period,
        now,
    )
    return SourceStatus(
        id=source_id,
        name=name,
        enabled=enabled,
        schedule=schedule,
        health=health,
        reason=reason,
        last_started=last["started_at"] if last else None,
        last_finished=last["finished_at"] if last else None,
        last_status=last["status"] if last else None,
        last_new=int(last["new"] or 0) if last else 0,
        last_changed=int(last["changed"] or 0) if last else 0,
        next_due=(job or {}).get("next_due"),
        consecutive_failures=failures,
        paused_until=pause["paused_until"] if pause else None,
        notices=int(notices.get("active") or 0),
        removed=int(notices.get("removed") or 0),
        runs=int(runs.get("runs") or 0),
        failed_runs=int(runs.get("failed") or 0),
    )


def _pause_for(source: Any, pauses: dict[str, dict[str, Any]]) -> dict[str, Any] | None:
    if source is None or not pauses:
        return None
    return pauses.get(registered_domain(source.start_urls[0]))


def _daemon(conn: sqlite3.Connection, now: datetime) -> DaemonInfo | None:
    row = next(iter(_rows(conn, "select * from daemon where id = 1")), None)
    if row is None:
        return None
    heartbeat = parse_iso(row["heartbeat_at"])
    fresh = heartbeat is not None and (now - heartbeat).total_seconds() < HEARTBEAT_STALE
    import socket

    alive = row["host"] != socket.gethostname() or pid_alive(row["pid"])
    running = row["stopped_at"] is None and fresh and alive
    return DaemonInfo(
        running,
        row["pid"],
        row["host"] or "",
        row["started_at"],
        row["heartbeat_at"],
        row["stopped_at"],
        row["stop_reason"],
        **_slots(row, now, running),
    )


def _slots(row: dict[str, Any], now: datetime, running: bool) -> dict[str, Any]:
    """The m015 columns, if the database has them; while the daemon runs, the oldest wait carried
    forward to `now` (saved every SAVE_EVERY seconds at most, it grows while sources wait)."""
    saved = parse_iso(row.get("backlog_at"))
    if saved is None:
        return {}
    wait = float(row.get("oldest_wait") or 0.0)
    if running and row.get("queued"):
        wait += max(0.0, (now - saved).total_seconds())
    return {"in_flight": row.get("in_flight"), "slot_limit": row.get("slot_limit"), "queued": row.get("queued"),
            "oldest_wait": round(wait, 1), "backlog_since": row.get("backlog_since"), "backlog_at": row.get("backlog_at")}


def _job_period(job: dict[str, Any] | None, schedule: str | None) -> float | None:
    """The schedule's period: as the daemon stored it for this very schedule text (no cron
    evaluator to import), else computed here."""
    if not schedule:
        return None
    if job and job.get("period") and job.get("schedule") == schedule:
        return float(job["period"])
    return _period(schedule)


@functools.cache
def _period(schedule: str) -> float | None:
    """Seconds between a schedule's runs (sources mostly share one schedule: computed once)."""
    try:
        return parse_schedule(schedule).period()
    except ValueError:
        return None


def _rows(conn: sqlite3.Connection, sql: str, params: list[Any] | None = None) -> list[dict[str, Any]]:
    return [dict(r) for r in conn.execute(sql, params or [])]


def _rows_by(conn: sqlite3.Connection, sql: str, key: str) -> dict[str, dict[str, Any]]:
    return {r[key]: r for r in _rows(conn, sql)}
