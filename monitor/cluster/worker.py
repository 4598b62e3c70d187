"""`noticewatch worker`: run crawls from the arq queue, relay their items to the outcome stream.

Same spiders, parse worker and politeness as a local crawl (monitor.crawl.runner's settings), but no
database: the job brings what the store knows of the source's lists, the items go to Redis
(monitor.cluster.relay), and the domain's lease (monitor.cluster.lease) makes the domain see one
request at a time whichever worker sends it. A job arq hands out twice (its first worker died) is
crawled again from the start; the coordinator applies both idempotently.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import time
from dataclasses import dataclass, replace
from typing import Any

from crawler import parsepool
from crawler.kinds import spider_for
from monitor.cluster.keeper import LeaseKeeper
from monitor.cluster.lease import DomainLease, LeaseLost, domain_paused, pause_domain
from monitor.cluster.protocol import (
    CONNECT_TIMEOUT,
    QUEUE,
    REDIS_DOWN,
    RETRY_REDIS,
    STREAM,
    TASK,
    CrawlJob,
    Outcome,
    encode,
    keep_connected,
)
from monitor.cluster.registry import HEARTBEAT, WorkerRecord, publish, withdraw
from monitor.cluster.relay import RELAYS, RelayPipeline
from monitor.config.loader import Config
from monitor.crawl.pipeline import run_status
from monitor.crawl.runner import crawl_settings, source_settings
from monitor.shutdown import SHUTDOWN

logger = logging.getLogger(__name__)

LEASE_BUSY_RETRY = 0.5  # seconds before a job whose domain is leased elsewhere is tried again


@dataclass(frozen=True)
class WorkerOptions:
    redis_url: str
    job_timeout: float = 900.0  # a crawl still running after this is cancelled (and recorded as failed)
    # A dead worker's domain lease and its job's in-progress key expire after this: the job is taken
    # again by another worker within about lease_ttl (monitor.cluster.arqworker). Renewed every ttl/3.
    lease_ttl: float = 10.0
    challenge_pause: float = 3600.0  # a domain that showed a challenge page rests this long, cluster-wide
    max_jobs: int = 1
    burst: bool = False  # stop once the queue is empty (tests, bench)


class CrawlWorker:
    def __init__(self, config: Config, options: WorkerOptions):
        self.config = config
        self.options = options
        host = socket.gethostname()
        now = time.time()
        self.record = WorkerRecord(f"{host}:{os.getpid()}", host, now, now)
        self.redis: Any = None
        self.runner: Any = None
        self.keeper = LeaseKeeper(options.redis_url, options.lease_ttl)

    # -- the arq job ------------------------------------------------------------------------

    async def crawl_source(self, ctx: dict[str, Any], job: CrawlJob) -> str:
        from arq.worker import Retry

        source = next((s for s in self.config.sources if s.id == job.source_id and s.enabled), None)
        if source is None:
            logger.warning("dropping job %s: source %r is not (or no longer) enabled in %s",
                           job.job_id, job.source_id, self.config.path)
            reason = f"source not enabled in {self.config.path} on {self.record.host}"
            await self.redis.xadd(STREAM, encode(Outcome(job.job_id, job.source_id, "dropped", reason,
                                                         self.record.worker_id)))
            return "dropped"
        paused = await domain_paused(self.redis, job.domain)
        if paused:
            raise Retry(defer=max(paused[1], LEASE_BUSY_RETRY))
        lease = DomainLease(self.redis, job.domain, self.options.lease_ttl)
        if not await lease.try_acquire():
            raise Retry(defer=LEASE_BUSY_RETRY)
        spec = source.spec()
        delay = spec.download_delay if spec.download_delay is not None else self.config.defaults.download_delay
        self.record = replace(self.record, current=job.job_id)
        with contextlib.suppress(*REDIS_DOWN):  # at once, not at the next heartbeat: status shows it
            await publish(self.redis, self.record.beat())
        try:
            async with lease.held(linger=delay, keeper=self.keeper):
                status = await self._crawl(job, spec, lease)
        except LeaseLost:
            self.record = replace(self.record, current=None)
            logger.warning("%s: the lease on %s expired under the crawl; stopped, the job is handed out again",
                           job.job_id, job.domain)
            raise Retry(defer=self.options.lease_ttl) from None
        except REDIS_DOWN as exc:
            # Redis went away under the crawl: wait for it, then have arq hand the job out again
            # (the coordinator applies the second attempt's items idempotently, same run).
            self.record = replace(self.record, current=None)
            await self._wait_for_redis(exc)
            raise Retry(defer=LEASE_BUSY_RETRY) from None
        done = replace(self.record, current=None, last_job=f"{job.source_id} ({status})",
                       jobs_done=self.record.jobs_done + 1,
                       failures=self.record.failures + (status != "completed"))
        self.record = done
        return status

    async def _crawl(self, job: CrawlJob, spec: Any, lease: DomainLease) -> str:
        from scrapy.crawler import Crawler

        settings = crawl_settings(self.config.defaults, None)
        settings.set("ITEM_PIPELINES", {"monitor.cluster.relay.RelayPipeline": 300}, priority="cmdline")
        settings.set("NOTICEWATCH_CLUSTER_JOB", job.job_id, priority="cmdline")
        crawler = Crawler(spider_for(spec.kind), source_settings(settings, spec))
        mode = "full" if job.full else "incremental"
        await self.redis.xadd(STREAM, encode(Outcome(job.job_id, job.source_id, "start", mode, self.record.worker_id)))
        RELAYS[job.job_id] = (self.redis, self.record.worker_id)
        lease.on_lost = lambda: asyncio.ensure_future(crawler.stop_async())
        try:
            await self.runner.crawl(crawler, source=spec, known=job.known, full=job.full, listed=job.listed)
        finally:
            RELAYS.pop(job.job_id, None)
        relay = crawler.get_item_pipeline(RelayPipeline)
        if relay is not None and relay.lost is not None:
            raise ConnectionError(f"lost while crawling {job.source_id}: {relay.lost}")
        if lease.lost:
            raise LeaseLost(job.domain)  # no `end`: the worker that holds the domain now finishes the job
        if SHUTDOWN.requested:
            raise asyncio.CancelledError  # not finished: arq hands the job out again
        stats = crawler.stats.get_stats()
        status = run_status(stats.get("finish_reason", "finished"), stats)
        end = {
            "status": status,
            "pages": int(stats.get("source/pages/list", 0)) + int(stats.get("source/pages/detail", 0)),
            "problems": list(getattr(crawler.spider, "problems", [])),
            "stats": stats,
            "requests": int(stats.get("downloader/request_count", 0)),
        }
        await self.redis.xadd(STREAM, encode(Outcome(job.job_id, job.source_id, "end", end, self.record.worker_id)))
        if stats.get("source/problems/blocked"):
            await pause_domain(self.redis, job.domain, self.options.challenge_pause,
                               f"challenge page on {job.source_id}")
        return status

    # -- running ----------------------------------------------------------------------------

    async def run(self) -> None:
        """Work until stopped (SIGINT/SIGTERM) or, in burst mode, until the queue is empty. Redis
        unreachable: one line, wait, try again."""
        from scrapy.crawler import AsyncCrawlerRunner

        self.runner = AsyncCrawlerRunner(crawl_settings(self.config.defaults, None))
        unregister = SHUTDOWN.on_stop(self.runner.stop)
        self.keeper.start()
        beat = asyncio.ensure_future(self.keeper.beat_forever())
        try:
            async with parsepool.held():
                await keep_connected(self._run_connected, self.options.redis_url, logger, lambda: SHUTDOWN.requested)
        finally:
            unregister()
            beat.cancel()
            self.keeper.stop()

    async def _run_connected(self) -> None:
        from arq import create_pool
        from arq.connections import RedisSettings
        from arq.worker import func

        from monitor.cluster.arqworker import LeasedWorker

        settings = RedisSettings.from_dsn(self.options.redis_url)
        settings.conn_retries = 0
        settings.conn_timeout = CONNECT_TIMEOUT
        self.redis = await create_pool(settings, default_queue_name=QUEUE)
        worker = LeasedWorker(
            keeper=self.keeper, job_lease=self.options.lease_ttl, functions=[func(self.crawl_source, name=TASK, max_tries=10_000)],
            redis_pool=self.redis, queue_name=QUEUE, max_jobs=self.options.max_jobs,
            job_timeout=self.options.job_timeout, handle_signals=False, burst=self.options.burst,
            poll_delay=0.2, keep_result=60, max_burst_jobs=-1,
        )
        beat = asyncio.ensure_future(self._heartbeat())
        main = asyncio.ensure_future(worker.main())
        unregister = SHUTDOWN.on_stop(main.cancel)
        try:
            with contextlib.suppress(asyncio.CancelledError):
                await main
        finally:
            unregister()
            beat.cancel()
            await self._abandon(worker)
            with contextlib.suppress(Exception):
                await withdraw(self.redis, self.record.worker_id)
            with contextlib.suppress(Exception):
                await self.redis.aclose()

    async def _abandon(self, worker: Any) -> None:
        """arq's loop ended (Redis lost, or stopping) with a job still running: stop its crawl and
        drop it. Its in-progress key expires (no longer renewed) and the job is taken again, by this
        worker's next loop or another; left running, it would crawl beside its own retake."""
        tasks = [t for t in worker.tasks.values() if not t.done()]
        if not tasks:
            return
        with contextlib.suppress(Exception):
            await self.runner.stop()
        for task in tasks:
            task.cancel()
        await asyncio.wait(tasks, timeout=10)
        self.record = replace(self.record, current=None)

    async def _wait_for_redis(self, exc: BaseException) -> None:
        while not SHUTDOWN.requested:
            logger.warning("redis at %s unreachable (%s); retrying in %g s", self.options.redis_url, exc, RETRY_REDIS)
            await asyncio.sleep(RETRY_REDIS)
            try:
                await self.redis.ping()
                return
            except REDIS_DOWN as again:
                exc = again

    async def _heartbeat(self) -> None:
        while True:
            with contextlib.suppress(Exception):  # Redis blips are the main loop's to report
                await publish(self.redis, self.record.beat())
            await asyncio.sleep(HEARTBEAT)


def run_worker(config: Config, options: WorkerOptions) -> None:
    """Run one worker on the asyncio reactor until SIGINT/SIGTERM (or, in burst mode, an empty queue)."""
    from monitor.crawl.runner import run_reactor

    run_reactor(lambda: CrawlWorker(config, options).run())
