"""The scheduled daemon: one asyncio process that crawls every source on its own schedule (docs/portals.md "Shape").

APScheduler 3's AsyncIOScheduler runs `async def` jobs on the loop under the Twisted asyncio reactor;
crawls go through one long-lived Scrapy AsyncCrawlerRunner, re-checks through httpx, all on that loop.
Each job has `max_instances=1` (a crawl never overlaps itself), `coalesce=True` (runs missed while a
crawl was slow collapse into one) and a misfire grace time. This module is the lifecycle (open,
scheduling, signals, close); the jobs, their backoff and the domain pauses are monitor.daemon.jobs.

What makes it safe to leave running for months:
- State in SQLite (monitor.daemon.state): a restart resumes each job's next due time, so it neither
  repeats a crawl that just ran nor forgets one that fell due while the daemon was down.
- A backlog (more sources due than `max_concurrent_sources` can crawl in time) is logged once and
  saved with the heartbeat for `status` (monitor.daemon.backlog).
- Per source: backoff after failures in a row, a pause of the registered domain after a challenge or
  ban page, one crawl at a time per registered domain (monitor.daemon.jobs).
- SIGTERM/SIGINT: stop scheduling, ask running crawls to close (pipelines flush, run rows become
  `aborted`), wait at most `stop_timeout`, close the DB, exit 0. A second signal exits at once;
  SQLite's journal keeps the file consistent, and the next start finalises any run left `running`.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from crawler import parsepool
from monitor.config.loader import Config
from monitor.crawl.runner import crawl_settings, open_prechecks, registered_domain
from monitor.crawl.slots import SourceSlots
from monitor.daemon.backlog import BacklogWatch, backlog_threshold
from monitor.daemon.jobs import DaemonSettings, DigestJob, Job, JobRunner, Outcome, plan_jobs
from monitor.daemon.state import DaemonBusy, DaemonState, JobState, now_utc
from monitor.store.db import Store

__all__ = ["Daemon", "DaemonError", "DaemonSettings", "DigestJob", "Job", "Outcome", "run_daemon"]

log = logging.getLogger("monitor.daemon.lifecycle")

HEARTBEAT_SECONDS = 5.0


class DaemonError(RuntimeError):
    """The daemon cannot start; one line naming what and what to do."""


class Daemon(JobRunner):
    """One daemon on one database: claims it, schedules the jobs (run by JobRunner), stops cleanly."""

    def __init__(
        self,
        config: Config,
        db_path: Path,
        settings: DaemonSettings | None = None,
        digest: DigestJob | None = None,
        log_level: str = "WARNING",
    ):
        self.config = config
        self.db_path = Path(db_path)
        self.settings = settings or DaemonSettings.from_defaults(config.defaults)
        self.tz = ZoneInfo(self.settings.timezone)
        self.digest = digest
        self.log_level = log_level
        self.jobs = {job.key: job for job in plan_jobs(config, self.settings)}
        if "digest" in self.jobs and digest is None:
            log.warning(
                "digest_schedule is set but no digest delivery is available; digests are not scheduled"
            )
            del self.jobs["digest"]
        self.domains = {
            job.source.id: registered_domain(job.source.start_urls[0])
            for job in self.jobs.values()
            if job.source
        }
        self.started_at = now_utc()
        self.stopping = False
        self.stop_reason = "stopped"
        self.slots = SourceSlots(config.defaults.max_concurrent_sources)
        periods: dict[str, float] = {}  # per schedule text: a fleet shares a few schedules
        for job in self.jobs.values():
            if job.source and job.schedule.text not in periods:
                periods[job.schedule.text] = job.schedule.period(self.tz)
        self.backlog = BacklogWatch(backlog_threshold(list(periods.values())))
        self._tasks: set[asyncio.Task[Any]] = set()
        self._crawl_tasks: set[asyncio.Task[Any]] = set()
        self._signals = 0
        self._stop: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self.scheduler: Any = None
        self.runner: Any = None
        self.checks: Any = None
        self.store: Store | None = None
        self.state: DaemonState | None = None

    # -- lifecycle ----------------------------------------------------------------------------
    async def run(self) -> int:
        """Run until SIGTERM/SIGINT (or `request_stop`); returns the exit code."""
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        self.install_signal_handlers()  # first: a signal during start-up is honoured once open() is done
        # One parse worker for the daemon's life: its crawls and re-checks share it (they would
        # each stop it when done otherwise); stopped when the daemon stops.
        async with parsepool.held():
            await self.open()
            assert self.state is not None
            log.info("daemon started: %d job(s) on %s (pid %d)", len(self.jobs), self.db_path, os.getpid())
            try:
                while not self._stop.is_set():
                    try:
                        await asyncio.wait_for(self._stop.wait(), timeout=HEARTBEAT_SECONDS)
                    except TimeoutError:
                        self.state.heartbeat()
                        self.note_backlog()
            finally:
                await self.close()
        return 0

    async def open(self) -> None:
        """Claim the database, finalise what a killed predecessor left, schedule every job."""
        from apscheduler.schedulers.asyncio import AsyncIOScheduler
        from scrapy.crawler import AsyncCrawlerRunner

        self._loop = self._loop or asyncio.get_running_loop()
        self._stop = self._stop or asyncio.Event()
        self.store = Store(self.db_path, removal_after=self.config.defaults.removal_after_failures)
        self.state = DaemonState(self.store.db)
        try:
            previous = self.state.claim(
                str(self.config.path) if self.config.path else None, stale_after=HEARTBEAT_SECONDS * 6
            )
        except DaemonBusy as exc:
            self.store.close()
            raise DaemonError(f"{self.db_path}: {exc}") from None
        if previous is not None:
            count = self.state.abort_running_runs(
                previous.started_at, f"the daemon (pid {previous.pid}) exited before this run finished"
            )
            log.warning(
                "previous daemon (pid %d) did not stop cleanly; %d unfinished run(s) marked aborted",
                previous.pid,
                count,
            )
        self.runner = AsyncCrawlerRunner(crawl_settings(self.config.defaults, self.db_path, self.log_level))
        self.checks = open_prechecks(self.runner.settings)  # one store connection + httpx client for all checks
        self.scheduler = AsyncIOScheduler(
            event_loop=self._loop,
            timezone=self.tz,
            job_defaults={
                "max_instances": 1,
                "coalesce": True,
                "misfire_grace_time": int(self.settings.misfire_grace),
            },
        )
        now = now_utc()
        for job in self.jobs.values():
            due = self.first_due(job, now)
            self.scheduler.add_job(
                self.run_job,
                job.schedule.trigger(self.settings.jitter, self.tz, start=due),
                args=[job],
                id=job.key,
                name=job.key,
                next_run_time=due,
            )
            log.info("%s: %s, next run %s", job.key, job.schedule.text, due.astimezone(self.tz).isoformat())
        self.scheduler.start()
        self.note_backlog()

    def note_backlog(self) -> None:
        """Log a backlog's start and end; save the slots' figures for `status` when worth a write."""
        assert self.state is not None
        backlog = self.slots.backlog()
        if self.backlog.check(backlog, now_utc()):
            self.state.save_backlog(backlog, self.backlog.since)

    def first_due(self, job: Job, now: datetime) -> datetime:
        """Resume from the stored due time; else one period after the last run; overdue means now."""
        assert self.state is not None
        stored = self.state.job(job.key)
        due: datetime | None = None
        if stored and stored.schedule == job.schedule.text and stored.next_due:
            due = stored.next_due
        else:
            last = self.state.last_run(job.source.id) if job.source else None
            if last and last.get("started_at"):
                due = job.schedule.next_after(datetime.fromisoformat(last["started_at"]), self.tz)
            elif job.source is None:
                due = job.schedule.next_after(now, self.tz)  # re-checks need notices: not at first start
        due = max(due or now, now)
        if job.source:
            pause = self.state.pauses(now).get(self.domains[job.source.id])
            if pause:
                due = max(due, job.schedule.at_or_after(pause.until, self.tz))
        base = stored or JobState(job.key, source_id=job.source.id if job.source else None)
        self.state.save_job(replace(base, schedule=job.schedule.text, period=job.schedule.period(self.tz),
                                    next_due=due))
        return due

    def install_signal_handlers(self) -> None:
        # signal.signal, not loop.add_signal_handler: the Twisted reactor installed its own handlers
        # (which stop the reactor without closing pipelines) and we replace them here.
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, self._on_signal)

    def _on_signal(self, signum: int, frame: Any) -> None:
        self._signals += 1
        if self._signals > 1:
            # A second signal: leave now. Every DB write is a transaction; SQLite rolls back an
            # interrupted one on next open, and the next daemon finalises runs left `running`.
            os.write(2, b"noticewatch daemon: second signal, exiting without waiting for crawls\n")
            os._exit(128 + signum)
        assert self._loop is not None
        self._loop.call_soon_threadsafe(self.request_stop, signal.Signals(signum).name)

    def request_stop(self, reason: str = "stop requested") -> None:
        if self.stopping:
            return
        self.stopping = True
        self.stop_reason = reason
        running = len(self._crawl_tasks)
        log.warning(
            "%s: stopping; %d running crawl(s) get up to %.0f s to close",
            reason,
            running,
            self.settings.stop_timeout,
        )
        if self.scheduler is not None and self.scheduler.running:
            self.scheduler.pause()
        if self._stop is not None:
            self._stop.set()

    async def close(self) -> None:
        """Stop scheduling, let running crawls close (bounded), finalise, close the DB."""
        assert self._loop is not None and self.state is not None and self.store is not None
        self.stopping = True
        if self.scheduler is not None and self.scheduler.running:
            self.scheduler.pause()
        for task in list(self._tasks - self._crawl_tasks):
            task.cancel()  # waiting for a domain, or a re-check: nothing half-written to keep
        deadline = self._loop.time() + self.settings.stop_timeout
        while self._tasks and self._loop.time() < deadline:
            self._stop_crawlers()
            await asyncio.wait(set(self._tasks), timeout=min(0.5, max(0.0, deadline - self._loop.time())))
        if self._tasks:
            for task in list(self._tasks):
                task.cancel()
            count = self.state.abort_running_runs(
                self.started_at, "the daemon stopped before this run closed", source_ids=list(self.domains)
            )
            log.error(
                "%d crawl(s) did not close within %.0f s; %d run(s) marked aborted",
                len(self._tasks),
                self.settings.stop_timeout,
                count,
            )
        if self.scheduler is not None and self.scheduler.running:
            self.scheduler.shutdown(wait=False)
        if self.checks is not None:
            await self.checks.aclose()
        self.state.release(self.stop_reason)
        self.store.close()
        log.warning("daemon stopped (%s)", self.stop_reason)

    def _stop_crawlers(self) -> None:
        """Ask every crawling crawler to close; repeated, because one may start after the first ask."""
        for crawler in list(self.runner.crawlers if self.runner else ()):
            if crawler.crawling:
                task = asyncio.ensure_future(crawler.stop_async())
                task.add_done_callback(_log_failure)


def _log_failure(task: asyncio.Future[Any]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.debug("stopping a crawler failed: %s", task.exception())


def run_daemon(
    config: Config, db_path: Path, digest: DigestJob | None = None, log_level: str = "WARNING"
) -> int:
    """Run the daemon in this process until stopped; returns the exit code. Installs the reactor."""
    from monitor.crawl.runner import run_reactor

    daemon = Daemon(config, db_path, digest=digest, log_level=log_level)
    return run_reactor(daemon.run)
