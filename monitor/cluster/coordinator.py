"""`noticewatch daemon --redis URL`: schedule sources as the daemon does, hand each due source to the
arq queue, and be the one writer of the store by applying the outcome stream (monitor.cluster.apply).

The stream is read through a consumer group and acknowledged after commit: a coordinator restarted
(or Redis restarted with its data) re-reads what it had not committed. Redis unreachable: one line,
wait, try again; nothing is written to the store meanwhile, so it stays consistent.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import socket
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import redis.exceptions

from crawler.domains import registered_domain
from monitor.cluster.apply import JOBS_TABLE, META_TABLE, OutcomeApplier
from monitor.cluster.keeper import LeaseKeeper
from monitor.cluster.pacing import DaemonParts, Pacer, crawl_key
from monitor.cluster.protocol import (
    CONNECT_TIMEOUT,
    GROUP,
    QUEUE,
    REDIS_DOWN,
    STREAM,
    TASK,
    CrawlJob,
    decode,
    keep_connected,
)
from monitor.config.loader import Config, Source
from monitor.schedule import parse_schedule
from monitor.shutdown import SHUTDOWN
from monitor.store.db import Store

logger = logging.getLogger(__name__)

BATCH = 200  # stream messages per transaction
HEARTBEAT = 5.0  # seconds between the daemon row's heartbeats (status: "running")


@dataclass(frozen=True)
class CoordinatorOptions:
    redis_url: str
    once: bool = False  # enqueue every enabled source now, exit when all their runs are recorded


class Coordinator:
    def __init__(self, config: Config, db_path: str, options: CoordinatorOptions, parts: DaemonParts | None = None):
        self.config = config
        self.options = options
        self.db_path = db_path
        self.store = Store(db_path, removal_after=config.defaults.removal_after_failures)
        self.applier = OutcomeApplier(self.store, config)
        # The daemon's state rows, backoff and pauses (monitor.cluster.pacing); None: none kept.
        self.pacer = Pacer(config, self.store.db, parts) if parts is not None else None
        self.scheduler: Any = None
        self.keeper: LeaseKeeper | None = None  # renews the domain leases its re-checks hold
        self.consumer = f"{socket.gethostname()}"
        self.redis: Any = None
        # Jobs queued and not yet finished in the store: queued again (same id) after a reconnection,
        # in case Redis lost them (restarted without persistence).
        self.pending: dict[str, tuple[Source, datetime]] = {}
        self.last_job: dict[str, str] = {}  # source id -> its latest job id
        self.connected_before = False

    def enabled(self) -> list[Source]:
        return [s for s in self.config.sources if s.enabled]

    # -- handing out ------------------------------------------------------------------------

    async def enqueue(self, source: Source, due: datetime | None = None) -> str | None:
        """Queue one crawl of `source` (unless its previous one is still queued or running)."""
        from arq.jobs import Job, JobStatus

        previous = self.last_job.get(source.id)
        if previous:
            status = await Job(previous, self.redis, _queue_name=QUEUE).status()
            if status in (JobStatus.queued, JobStatus.deferred, JobStatus.in_progress):
                logger.info("%s: previous crawl %s still %s; not queued again", source.id, previous, status.value)
                return None
        elif due is None:
            adopted = await self._job_in_flight(source.id)
            if adopted:  # queued by this coordinator before it restarted: wait for that one
                logger.info("%s: crawl %s already queued or running; not queued again", source.id, adopted)
                self.last_job[source.id] = adopted
                self.pending[adopted] = (source, datetime.now(UTC))
                return adopted
        due = due or datetime.now(UTC)
        job_id = f"{source.id}@{due.strftime('%Y%m%dT%H%M%S')}"  # the same due time queues once
        if self._finished(job_id):
            return None  # done before a restart (a resumed --once batch)
        full = self.store.full_sweep_due(source.id, self.config.defaults.full_sweep)  # the weekly full sweep
        job = CrawlJob(job_id, source.id, registered_domain(source.start_urls[0]), full=full,
                       known=self.store.known_listing(source.id), listed=self.store.skipped_listing(source.id))
        queued = await self.redis.enqueue_job(TASK, job, _job_id=job_id, _queue_name=QUEUE)
        self.last_job[source.id] = job_id
        self.pending[job_id] = (source, due)
        if queued is not None:
            logger.info("%s: queued %s", source.id, job_id)
        return job_id

    async def _job_in_flight(self, source_id: str) -> str | None:
        """A job of this source in arq's queue, or started and not finished in the store."""
        prefix = f"{source_id}@"
        for member in await self.redis.zrange(QUEUE, 0, -1):
            job_id = member.decode() if isinstance(member, bytes) else str(member)
            if job_id.startswith(prefix):
                return job_id
        rows = list(self.store.db.query(f"select job_id from {JOBS_TABLE} where source_id = ? and finished_at is null "
                                        "order by rowid desc limit 1", [source_id]))
        return rows[0]["job_id"] if rows else None

    def _finished(self, job_id: str) -> bool:
        return bool(list(self.store.db.query(f"select 1 from {JOBS_TABLE} where job_id = ? and finished_at is not null",
                                             [job_id])))

    def once_due(self) -> datetime:
        """The due time of this --once batch: a coordinator restarted mid-batch resumes its
        predecessor's (same job ids: the sources it finished are not crawled again)."""
        rows = list(self.store.db.query(f"select value from {META_TABLE} where key = 'once'"))
        if rows:
            return datetime.fromisoformat(rows[0]["value"])
        due = datetime.now(UTC).replace(microsecond=0)
        self.store.db.execute(f"insert into {META_TABLE} (key, value) values ('once', ?)", [due.isoformat()])
        return due

    def _scheduler(self) -> Any:
        """Every enabled source on its schedule, resumed from the stored due times (and the digest)."""
        from apscheduler.schedulers.asyncio import AsyncIOScheduler

        tz = self.config.defaults.timezone
        jitter = self.config.defaults.jitter
        scheduler = AsyncIOScheduler(timezone=tz, job_defaults={
            "max_instances": 1, "coalesce": True, "misfire_grace_time": int(self.config.defaults.misfire_grace)})
        now = datetime.now(UTC)
        for source in self.enabled():
            schedule = parse_schedule(source.schedule).spread(source.id, tz, source.spread_schedule)
            if self.pacer is not None:
                due = self.pacer.first_due(crawl_key(source), schedule, now, source)
            else:
                never = not list(self.store.db.query("select 1 from runs where source_id = ? limit 1", [source.id]))
                due = now if never else schedule.at_or_after(now, tz)
            scheduler.add_job(self._due, schedule.trigger(jitter, tz, start=due), args=[source], id=crawl_key(source),
                              next_run_time=due)
        extra = {"digest": (self._digest, self.pacer.digest_schedule if self.pacer else None),
                 "recheck": (self._recheck, self.pacer.recheck_schedule if self.pacer else None)}
        for key, (work, schedule) in extra.items():
            if self.pacer is not None and schedule is not None:
                due = self.pacer.first_due(key, schedule, now)  # one period after the first start
                scheduler.add_job(self._simple, schedule.trigger(jitter, tz, start=due), args=[key, work, schedule],
                                  id=key, next_run_time=due)
        return scheduler

    async def _due(self, source: Source) -> None:
        if self.pacer is not None:
            pause = self.pacer.paused(source)
            if pause is not None:
                logger.info("%s: %s is paused until %s (%s); skipped", source.id, pause.domain, pause.until,
                            pause.reason)
                self._reschedule(crawl_key(source), self.pacer.postponed(source, pause.until))
                return
        with contextlib.suppress(*REDIS_DOWN):  # Redis down: re-queued on reconnection
            await self.enqueue(source)

    async def _simple(self, key: str, work: Any, schedule: Any) -> None:
        """A job the coordinator runs itself (digest, re-check), its outcome recorded for `status`."""
        assert self.pacer is not None
        started, status, error = datetime.now(UTC), "completed", None
        try:
            problems = await work()  # a source's problems are its runs' (as the daemon's re-check job)
            logger.info("%s: completed%s", key, f" ({len(problems)} problem(s): {problems[0]} …)" if problems else "")
        except Exception as exc:  # noqa: BLE001 - a failed job is recorded, the coordinator goes on
            logger.exception("%s failed", key)
            status, error = "error", f"{type(exc).__name__}: {exc}"
        due = self._scheduled_next(key) or schedule.next_after(started, self.config.defaults.timezone)
        self.pacer.ran(key, schedule, started, status, error, due)

    async def _digest(self) -> list[str]:
        """The daemon's digest job: reads the store and sends; it writes only delivery marks."""
        assert self.pacer is not None and self.pacer.parts.digest is not None
        await self.pacer.parts.digest(self.config, Path(self.db_path))
        return []

    async def _recheck(self) -> list[str]:
        from monitor.cluster.rechecks import recheck_cluster

        assert self.pacer is not None and self.keeper is not None
        return await recheck_cluster(self.config, self.db_path, self.redis, self.keeper, self.pacer,
                                     self.config.cluster.lease_ttl)

    def _scheduled_next(self, key: str) -> datetime | None:
        job = self.scheduler.get_job(key) if self.scheduler is not None else None
        return job.next_run_time if job is not None else None

    def _reschedule(self, key: str, due: datetime) -> None:
        """Push a job's next run back to `due` (backoff, a pause); never earlier than scheduled."""
        current = self._scheduled_next(key)
        if self.scheduler is not None and self.scheduler.running and (current is None or due > current):
            self.scheduler.modify_job(key, next_run_time=due)

    def _run_finished(self, job_ids: list[str]) -> None:
        """Runs just recorded: the daemon state (last run, failure streak, next due, pauses) follows."""
        if self.pacer is None or not job_ids:
            return
        marks = ",".join("?" * len(job_ids))
        rows = self.store.db.query(f"select r.* from {JOBS_TABLE} j join runs r on r.id = j.run_id "
                                   f"where j.job_id in ({marks})", job_ids)
        for run in list(rows):
            source = self.pacer.sources.get(run["source_id"])
            scheduled = self._scheduled_next(crawl_key(source)) if source is not None else None
            for key, due in self.pacer.finished(run["source_id"], run, scheduled).items():
                self._reschedule(key, due)

    # -- taking back ------------------------------------------------------------------------

    async def consume(self) -> None:
        """Apply the stream: first what this consumer had read but not acknowledged, then new messages."""
        await self._create_group()
        cursor = "0"
        while not SHUTDOWN.requested:
            try:
                answer = await self.redis.xreadgroup(GROUP, self.consumer, {STREAM: cursor}, count=BATCH, block=500)
            except redis.exceptions.ResponseError as exc:
                if "NOGROUP" not in str(exc):
                    raise
                await self._create_group()  # Redis restarted empty
                continue
            messages = answer[0][1] if answer else []
            if cursor == "0" and not messages:
                cursor = ">"  # the pending backlog is done
                continue
            if not messages:
                await self._reap()
                if self.options.once and not self._unfinished():
                    break
                continue
            outcomes = [decode(fields) for _, fields in messages]
            results = self.applier.apply(outcomes)  # committed ...
            # (the daemon state follows before the acknowledgement: re-read messages are duplicates)
            self._run_finished([o.job_id for o, r in zip(outcomes, results, strict=True) if r == "finished"])
            await self.redis.xack(STREAM, GROUP, *[mid for mid, _ in messages])  # ... then acknowledged
            if self.options.once and not self._unfinished():
                break
        if self.options.once and not self._unfinished():
            self.store.db.execute(f"delete from {META_TABLE} where key = 'once'")  # the batch is done

    async def _reap(self) -> None:
        """Jobs arq finished without their run being closed (it timed out, or failed in a way the
        worker could not report): record the run once, as failed, so nothing stays `running`."""
        from arq.jobs import Job, JobStatus

        for job_id in sorted(self._unfinished()):
            job = Job(job_id, self.redis, _queue_name=QUEUE)
            if await job.status() != JobStatus.complete:
                continue
            await asyncio.sleep(0.2)  # its last messages, if any, are read first
            if job_id not in self._unfinished():
                continue
            info = await job.result_info()
            why = f"{type(info.result).__name__}: {info.result}" if info and not info.success else "no outcome"
            logger.warning("job %s ended without its outcome (%s); its run is recorded as failed", job_id, why)
            self.applier.close_lost(job_id, self.pending[job_id][0].id, f"cluster: the worker's job ended: {why}")
            self._run_finished([job_id])

    async def _create_group(self) -> None:
        with contextlib.suppress(redis.exceptions.ResponseError):  # BUSYGROUP: the group exists
            await self.redis.xgroup_create(STREAM, GROUP, id="0", mkstream=True)

    def _unfinished(self) -> set[str]:
        """Pending job ids not yet finished in the store (forgetting those that are)."""
        if self.pending:
            marks = ",".join("?" * len(self.pending))
            for row in self.store.db.query(f"select job_id from {JOBS_TABLE} where finished_at is not null "
                                           f"and job_id in ({marks})", list(self.pending)):
                self.pending.pop(row["job_id"], None)
        return set(self.pending)

    # -- running ----------------------------------------------------------------------------

    async def run(self) -> None:
        if self.pacer is not None:
            self.pacer.claim()  # CoordinatorBusy: another daemon or coordinator runs on this database
        self.scheduler = scheduler = None if self.options.once else self._scheduler()
        self.keeper = LeaseKeeper(self.options.redis_url, self.config.cluster.lease_ttl)
        self.keeper.start()
        beat = asyncio.ensure_future(self._heartbeat())
        reason = "stopped"
        try:
            await keep_connected(lambda: self._run_connected(scheduler), self.options.redis_url, logger,
                                 lambda: SHUTDOWN.requested)
            reason = "once: every source done" if self.options.once and not SHUTDOWN.requested else reason
        finally:
            beat.cancel()
            self.keeper.stop()
            if scheduler is not None and scheduler.running:
                scheduler.shutdown(wait=False)
            if self.pacer is not None:
                stop = signal.Signals(SHUTDOWN.signum).name if SHUTDOWN.signum is not None else None
                self.pacer.release(stop or reason)
            self.store.close()

    async def _heartbeat(self) -> None:
        assert self.keeper is not None
        keeper = asyncio.ensure_future(self.keeper.beat_forever())
        try:
            while True:
                await asyncio.sleep(HEARTBEAT)
                if self.pacer is not None:
                    self.pacer.heartbeat()
        finally:
            keeper.cancel()

    async def _run_connected(self, scheduler: Any) -> None:
        from arq import create_pool
        from arq.connections import RedisSettings

        settings = RedisSettings.from_dsn(self.options.redis_url)
        settings.conn_retries = 0
        settings.conn_timeout = CONNECT_TIMEOUT
        self.redis = await create_pool(settings, default_queue_name=QUEUE)
        try:
            if self.connected_before:
                for job_id in sorted(self._unfinished()):  # same id: queued once even if Redis kept it
                    source, due = self.pending[job_id]
                    self.last_job.pop(source.id, None)
                    await self.enqueue(source, due)
            elif self.options.once:
                due = self.once_due()
                for source in self.enabled():
                    await self.enqueue(source, due)
            self.connected_before = True
            if scheduler is not None and not scheduler.running:
                scheduler.start()
            consumer = asyncio.ensure_future(self.consume())
            unregister = SHUTDOWN.on_stop(consumer.cancel)
            try:
                with contextlib.suppress(asyncio.CancelledError):
                    await consumer
            finally:
                unregister()
        finally:
            with contextlib.suppress(Exception):
                await self.redis.aclose()


def run_coordinator(config: Config, db_path: str, options: CoordinatorOptions, parts: DaemonParts | None = None) -> None:
    """Run the coordinator on the asyncio reactor until SIGINT/SIGTERM (or, with `once`, until done).
    With `parts` (monitor.daemon's state classes) it keeps the daemon's state rows, backoff and pauses."""
    from monitor.crawl.runner import run_reactor

    Store(db_path).close()  # create/migrate now: a bad --db fails before anything is queued
    run_reactor(lambda: Coordinator(config, db_path, options, parts).run())
