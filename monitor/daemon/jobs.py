"""The daemon's jobs and what runs them: crawl, re-check and digest jobs, their outcomes, the backoff
after failures and the per-domain pauses after a challenge or ban page (monitor.daemon.lifecycle runs them).

- Per source: after n failures in a row the next attempt waits min(period * 2**n, backoff_max). A
  challenge or ban page pauses the source's registered domain (one firewall for all its subdomains)
  and pushes back every source on it. At most `defaults.max_concurrent_sources` crawls and
  re-checks are in flight, the rest queued (monitor.crawl.slots); sources on one registered domain
  run one at a time; other domains never wait for them, only for a free slot.
- Every outcome is recorded in `daemon_jobs` (monitor.daemon.state) with the next due time, so a
  restart resumes the backoff and the pauses.

`JobRunner` is the job half of monitor.daemon.lifecycle.Daemon; the lifecycle half (open, scheduling, signals,
close) sets the attributes declared at the top of the class.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from monitor.config.loader import Config, Source
from monitor.crawl.runner import crawl_one
from monitor.crawl.slots import SourceSlots
from monitor.daemon.state import DaemonState, JobState, Pause, now_utc
from monitor.schedule import Schedule, backoff_delay, parse_duration, parse_optional_schedule, parse_schedule
from monitor.store.db import Store

log = logging.getLogger("monitor.daemon.lifecycle")  # one logger name for the whole daemon, as its log lines show

DigestJob = Callable[[Config, Path], Awaitable[Any]]


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
    # Each source's runs at a stable offset (a hash of its id): a fleet on one schedule line spreads
    # out instead of firing in the same minute — an interval over its period, a cron line within
    # an hour or the source's `spread_schedule` (false: exactly on the line).
    tz = config.defaults.timezone
    jobs = [Job(f"crawl:{s.id}", parse_schedule(s.schedule).spread(s.id, tz, s.spread_schedule), s)
            for s in config.sources if s.enabled]
    if settings.recheck_schedule is not None:
        jobs.append(Job("recheck", settings.recheck_schedule))
    if settings.digest_schedule is not None:
        jobs.append(Job("digest", settings.digest_schedule))
    return jobs


class JobRunner:
    """Runs the scheduled jobs and records their outcomes; monitor.daemon.lifecycle.Daemon sets these."""

    config: Config
    db_path: Path
    settings: DaemonSettings
    tz: ZoneInfo
    digest: DigestJob | None
    jobs: dict[str, Job]
    domains: dict[str, str]  # source id -> registered domain
    stopping: bool
    scheduler: Any  # APScheduler's AsyncIOScheduler, once open
    runner: Any  # Scrapy's AsyncCrawlerRunner, once open
    checks: Any  # monitor.crawl.precheck.Prechecks: the no-change checks' session, once open
    store: Store | None
    state: DaemonState | None
    slots: SourceSlots  # at most max_concurrent_sources in flight, one per registered domain
    _tasks: set[asyncio.Task[Any]]  # every running job
    _crawl_tasks: set[asyncio.Task[Any]]  # the running jobs that are crawling (given time to close)

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
        async with self.slots.held(job.source.id, domain):
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
                result = await crawl_one(self.runner, job.source.spec(), None, full, self.checks)
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
                period=period,
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
        from monitor.crawl.recheck import recheck

        started = now_utc()
        groups: dict[str, list[Source]] = {}
        for source in (j.source for j in self.jobs.values() if j.source):
            groups.setdefault(self.domains[source.id], []).append(source)

        async def check_domain(domain: str, sources: list[Source]) -> list[str]:
            problems: list[str] = []
            for source in sources:
                async with self.slots.held(source.id, domain):
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

    def _pause(self, domain: str) -> Pause | None:
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
        self.state.save_job(replace(stored, schedule=job.schedule.text, period=job.schedule.period(self.tz),
                                    next_due=due))

    def _scheduled_next(self, job: Job) -> datetime | None:
        scheduled = self.scheduler.get_job(job.key) if self.scheduler is not None else None
        return scheduled.next_run_time if scheduled is not None else None

    def _reschedule(self, job: Job, due: datetime) -> None:
        current = self._scheduled_next(job)
        if self.scheduler is not None and not self.stopping and (current is None or due > current):
            self.scheduler.modify_job(job.key, next_run_time=due)
