"""The scheduled daemon: one asyncio process that crawls every source on its own schedule (DESIGN.md "Shape").

APScheduler 3's AsyncIOScheduler runs `async def` jobs on the loop under the Twisted asyncio reactor;
crawls go through one long-lived Scrapy AsyncCrawlerRunner, re-checks through httpx, all on that loop.
Each job has `max_instances=1` (a crawl never overlaps itself), `coalesce=True` (runs missed while a
crawl was slow collapse into one) and a misfire grace time.

What makes it safe to leave running for months:
- State in SQLite (monitor.daemon_state): a restart resumes each job's next due time, so it neither
  repeats a crawl that just ran nor forgets one that fell due while the daemon was down.
- Per source: after n failures in a row the next attempt waits min(period * 2**n, backoff_max). A
  challenge or ban page pauses the source's registered domain (one firewall for all its subdomains).
  Sources on one registered domain crawl one at a time; other domains never wait for them.
- SIGTERM/SIGINT: stop scheduling, ask running crawls to close (pipelines flush, run rows become
  `aborted`), wait at most `stop_timeout`, close the DB, exit 0. A second signal exits at once;
  SQLite's journal keeps the file consistent, and the next start finalises any run left `running`.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from crawler import parsepool
from monitor.config import Config, Source
from monitor.daemon_state import DaemonBusy, DaemonState, JobState, now_utc
from monitor.runner import crawl_one, crawl_settings, registered_domain
from monitor.schedule import Schedule, backoff_delay, parse_duration, parse_optional_schedule, parse_schedule
from monitor.store import Store

log = logging.getLogger("monitor.daemon")

HEARTBEAT_SECONDS = 5.0
DigestJob = Callable[[Config, Path], Awaitable[Any]]


class DaemonError(RuntimeError):
    """The daemon cannot start; one line naming what and what to do."""


@dataclass(frozen=True)
class DaemonSettings:
    """The daemon's knobs, read from config `defaults` (keys of the same name)."""

    jitter: float = 60.0  # seconds, capped at a tenth of each job's period
    backoff_max: float = 86400.0  # ceiling of the wait after repeated failures
    block_pause: float = 21600.0  # how long a domain that served a challenge/ban is left alone
    misfire_grace: float = 3600.0  # a run late by more than this (loop stalled, clock jump) is skipped
    stop_timeout: float = 30.0  # how long SIGTERM waits for running crawls to close
    recheck_schedule: Schedule | None = field(default_factory=lambda: parse_schedule("every 1d"))
    digest_schedule: Schedule | None = None
    timezone: str = "UTC"  # for cron schedules

    @classmethod
    def from_defaults(cls, defaults: Any) -> DaemonSettings:
        """Until config.py declares these keys, absent ones keep the values above."""
        base = cls()
        values: dict[str, Any] = {}
        for key in ("jitter", "backoff_max", "block_pause", "misfire_grace", "stop_timeout"):
            raw = getattr(defaults, key, None)
            if raw is not None:
                values[key] = parse_duration(raw)
        for key in ("recheck_schedule", "digest_schedule"):
            if hasattr(defaults, key):
                raw = getattr(defaults, key)
                values[key] = (
                    raw if isinstance(raw, Schedule) or raw is None else parse_optional_schedule(raw)
                )
        values["timezone"] = getattr(defaults, "timezone", None) or base.timezone
        return replace(base, **values)


@dataclass(frozen=True)
class Job:
    key: str  # crawl:<source id> | recheck | digest
    schedule: Schedule
    source: Source | None = None


@dataclass(frozen=True)
class Outcome:
    status: str  # completed | failed | aborted | error
    run_id: int | None = None
    new: int = 0
    changed: int = 0
    problems: tuple[str, ...] = ()
    error: str | None = None

    @property
    def blocked(self) -> str | None:
        """The first `blocked: …` problem: a challenge or ban page (crawler/kinds/base.py)."""
        return next((p for p in self.problems if p.startswith("blocked:")), None)


def plan_jobs(config: Config, settings: DaemonSettings) -> list[Job]:
    jobs = [Job(f"crawl:{s.id}", parse_schedule(s.schedule), s) for s in config.sources if s.enabled]
    if settings.recheck_schedule is not None:
        jobs.append(Job("recheck", settings.recheck_schedule))
    if settings.digest_schedule is not None:
        jobs.append(Job("digest", settings.digest_schedule))
    return jobs


class Daemon:
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
        self._locks: dict[str, asyncio.Lock] = {}
        self._tasks: set[asyncio.Task[Any]] = set()
        self._crawl_tasks: set[asyncio.Task[Any]] = set()
        self._signals = 0
        self._stop: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self.scheduler: Any = None
        self.runner: Any = None
        self.store: Store | None = None
        self.state: DaemonState | None = None

    # -- lifecycle ----------------------------------------------------------------------------
    async def run(self) -> int:
        """Run until SIGTERM/SIGINT (or `request_stop`); returns the exit code."""
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        self.install_signal_handlers()  # first: a signal during start-up is honoured once open() is done
        await self.open()
        assert self.state is not None
        log.info("daemon started: %d job(s) on %s (pid %d)", len(self.jobs), self.db_path, os.getpid())
        try:
            while not self._stop.is_set():
                try:
                    await asyncio.wait_for(self._stop.wait(), timeout=HEARTBEAT_SECONDS)
                except TimeoutError:
                    self.state.heartbeat()
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
        self.state.save_job(replace(base, schedule=job.schedule.text, next_due=due))
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
        await parsepool.close()  # the crawls' parse worker (kept between crawls while running)
        self.state.release(self.stop_reason)
        self.store.close()
        log.warning("daemon stopped (%s)", self.stop_reason)

    def _stop_crawlers(self) -> None:
        """Ask every crawling crawler to close; repeated, because one may start after the first ask."""
        for crawler in list(self.runner.crawlers if self.runner else ()):
            if crawler.crawling:
                task = asyncio.ensure_future(crawler.stop_async())
                task.add_done_callback(_log_failure)

    # -- jobs ---------------------------------------------------------------------------------
    async def run_job(self, job: Job) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        try:
            if job.source is not None:
                await self.crawl(job)
            elif job.key == "recheck":
                await self.recheck(job)
            elif job.key == "digest" and self.digest is not None:
                await self.run_simple(job, self.digest(self.config, self.db_path))
        except asyncio.CancelledError:
            if not self.stopping:
                raise
        except Exception:  # one job's bug must not take the daemon (or other sources) down
            log.exception("%s: job failed", job.key)
        finally:
            self._tasks.discard(task)
            self._crawl_tasks.discard(task)

    async def crawl(self, job: Job) -> None:
        assert job.source is not None
        domain = self.domains[job.source.id]
        async with self._lock(domain):
            if self.stopping:
                return
            pause = self._pause(domain)
            if pause is not None:
                log.info(
                    "%s: %s is paused until %s (%s); skipped", job.key, domain, pause.until, pause.reason
                )
                self._postpone(job, pause.until)
                return
            started = now_utc()
            self._crawl_tasks.add(asyncio.current_task())  # type: ignore[arg-type]
            try:
                full = self._full_sweep_due(job.source)
                result = await crawl_one(self.runner, job.source.spec(), None, full)
                outcome = Outcome(result.status, result.run_id, result.new, result.changed, result.problems)
            except Exception as exc:
                log.exception("%s: crawl raised", job.key)
                outcome = Outcome("error", error=f"{type(exc).__name__}: {exc}")
        self.finish(job, started, outcome)

    def finish(self, job: Job, started: datetime, outcome: Outcome) -> None:
        """Record the outcome; on failure push the next run back (backoff), on a block pause the domain."""
        assert self.state is not None
        finished = now_utc()
        previous = self.state.job(job.key) or JobState(job.key)
        interrupted = outcome.status == "aborted" and self.stopping
        failed = not interrupted and (outcome.status != "completed" or outcome.blocked is not None)
        if interrupted:
            failures = previous.consecutive_failures  # neither a success nor the source's fault
        else:
            failures = previous.consecutive_failures + 1 if failed else 0
        period = job.schedule.period(self.tz)
        due = self._scheduled_next(job) or job.schedule.next_after(started, self.tz)
        if failed:
            wait = backoff_delay(period, failures, max(self.settings.backoff_max, period))
            due = max(due, job.schedule.at_or_after(finished + timedelta(seconds=wait), self.tz))
        if outcome.blocked and job.source is not None:
            until = finished + timedelta(
                seconds=max(
                    self.settings.block_pause,
                    backoff_delay(period, failures, max(self.settings.backoff_max, period)),
                )
            )
            self._block(job.source, until, outcome.blocked)
            due = max(due, job.schedule.at_or_after(until, self.tz))
        if interrupted:
            due = finished  # the crawl did not finish: due again at the next start
        else:
            self._reschedule(job, due)
        error = outcome.error or (outcome.problems[0] if failed and outcome.problems else None)
        self.state.save_job(
            replace(
                previous,
                source_id=job.source.id if job.source else None,
                schedule=job.schedule.text,
                next_due=due,
                last_started=started,
                last_finished=finished,
                last_status=outcome.status,
                last_run_id=outcome.run_id,
                consecutive_failures=failures,
                last_error=error,
            )
        )
        seconds = (finished - started).total_seconds()
        level = logging.WARNING if failed else logging.INFO
        log.log(
            level,
            "%s: %s in %.1f s (%d new, %d changed%s); next run %s",
            job.key,
            outcome.status,
            seconds,
            outcome.new,
            outcome.changed,
            f", {failures} failure(s) in a row: {error}" if failed else "",
            due.astimezone(self.tz).isoformat(timespec="seconds"),
        )

    async def recheck(self, job: Job) -> None:
        """Re-check stored notices, per registered domain one source at a time, skipping paused domains."""
        from monitor.recheck import recheck

        started = now_utc()
        groups: dict[str, list[Source]] = {}
        for source in (j.source for j in self.jobs.values() if j.source):
            groups.setdefault(self.domains[source.id], []).append(source)

        async def check_domain(domain: str, sources: list[Source]) -> list[str]:
            problems: list[str] = []
            for source in sources:
                async with self._lock(domain):
                    if self.stopping or self._pause(domain):
                        return problems
                    assert self.state is not None
                    first_id = self.state.max_run_id()
                    with Store(
                        self.db_path, removal_after=self.config.defaults.removal_after_failures
                    ) as store:
                        try:
                            [result] = await recheck(self.config, [source], store)
                        except asyncio.CancelledError:
                            DaemonState(store.db).abort_running_runs(
                                started,
                                "the daemon stopped during this re-check",
                                [source.id],
                                "recheck",
                                first_id,
                            )
                            raise
                    blocked = next((p for p in result.problems if p.startswith("blocked:")), None)
                    if blocked:
                        self._block(source, now_utc() + timedelta(seconds=self.settings.block_pause), blocked)
                    problems.extend(f"{source.id}: {p}" for p in result.problems)
            return problems

        found = await asyncio.gather(*(check_domain(d, s) for d, s in groups.items()))
        problems = tuple(p for group in found for p in group)
        self.finish(job, started, Outcome("completed", problems=problems))

    async def run_simple(self, job: Job, work: Awaitable[Any]) -> None:
        started = now_utc()
        try:
            await work
            outcome = Outcome("completed")
        except Exception as exc:
            log.exception("%s failed", job.key)
            outcome = Outcome("error", error=f"{type(exc).__name__}: {exc}")
        self.finish(job, started, outcome)

    # -- helpers ------------------------------------------------------------------------------
    def _full_sweep_due(self, source: Source) -> bool:
        """A full crawl (every list page, every notice) when the last one is `full_sweep` old."""
        assert self.store is not None
        return self.store.full_sweep_due(source.id, self.config.defaults.full_sweep)

    def _lock(self, domain: str) -> asyncio.Lock:
        return self._locks.setdefault(domain, asyncio.Lock())

    def _pause(self, domain: str) -> Any:
        assert self.state is not None
        return self.state.pauses(now_utc()).get(domain)

    def _block(self, source: Source, until: datetime, reason: str) -> None:
        """Pause the source's registered domain and push back every source on it."""
        assert self.state is not None
        domain = self.domains[source.id]
        self.state.pause(domain, until, source.id, reason)
        log.warning(
            "%s: %s served a challenge or ban page (%s); leaving it alone until %s",
            source.id,
            domain,
            reason,
            until.astimezone(self.tz).isoformat(timespec="seconds"),
        )
        for job in self.jobs.values():
            if (
                job.source is not None
                and self.domains[job.source.id] == domain
                and job.source.id != source.id
            ):
                self._postpone(job, until)

    def _postpone(self, job: Job, until: datetime) -> None:
        assert self.state is not None
        due = max(self._scheduled_next(job) or until, job.schedule.at_or_after(until, self.tz))
        self._reschedule(job, due)
        stored = self.state.job(job.key) or JobState(job.key, source_id=job.source.id if job.source else None)
        self.state.save_job(replace(stored, schedule=job.schedule.text, next_due=due))

    def _scheduled_next(self, job: Job) -> datetime | None:
        scheduled = self.scheduler.get_job(job.key) if self.scheduler is not None else None
        return scheduled.next_run_time if scheduled is not None else None

    def _reschedule(self, job: Job, due: datetime) -> None:
        current = self._scheduled_next(job)
        if self.scheduler is not None and not self.stopping and (current is None or due > current):
            self.scheduler.modify_job(job.key, next_run_time=due)


def _log_failure(task: asyncio.Future[Any]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.debug("stopping a crawler failed: %s", task.exception())


def run_daemon(
    config: Config, db_path: Path, digest: DigestJob | None = None, log_level: str = "WARNING"
) -> int:
    """Run the daemon in this process until stopped; returns the exit code. Installs the reactor."""
    from monitor.runner import run_reactor

    daemon = Daemon(config, db_path, digest=digest, log_level=log_level)
    return run_reactor(daemon.run)
