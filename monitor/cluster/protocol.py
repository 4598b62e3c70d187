"""What travels over Redis: key names, a crawl job, and the messages of the outcome stream.

Jobs go through arq (its queue, retries and in-progress leases); outcomes come back on one Redis
stream read by the coordinator's consumer group and acknowledged after they are committed, so a
coordinator restart re-reads what it had not committed. Payloads are pickled, as arq's own are:
Redis is inside the cluster's trust boundary (docs/scale-out.md).
"""

from __future__ import annotations

import pickle
from dataclasses import dataclass, field
from typing import Any

import redis.exceptions

PREFIX = "noticewatch:"
QUEUE = PREFIX + "queue"  # arq's queue name
STREAM = PREFIX + "outcomes"
GROUP = "coordinator"
WORKERS = PREFIX + "workers"  # hash: worker id -> pickled WorkerRecord
TASK = "crawl_source"  # the arq function's name


# Redis unreachable, restarting or still loading its data: wait and try again (redis-py's
# ConnectionError is not the builtin one; BusyLoadingError is one of its ConnectionErrors).
REDIS_DOWN = (ConnectionError, OSError, TimeoutError, redis.exceptions.ConnectionError,
              redis.exceptions.TimeoutError)


def lease_key(domain: str) -> str:
    return f"{PREFIX}lease:{domain}"


def pause_key(domain: str) -> str:
    return f"{PREFIX}pause:{domain}"


@dataclass(frozen=True)
class CrawlJob:
    """One source's crawl, handed out by the coordinator. `known`/`listed` are what the store knows
    of the source's lists (the incremental crawl's input: workers have no database)."""

    job_id: str
    source_id: str
    domain: str
    full: bool = False
    known: dict[str, tuple[str | None, str | None]] = field(default_factory=dict)
    listed: dict[str, tuple[str | None, str | None]] = field(default_factory=dict)


@dataclass(frozen=True)
class Outcome:
    """One stream message: `start` (a worker began the job), `item` (a NoticeItem, DetailFailure
    or ListingItem) or `end` (status, pages, problems, stats, requests)."""

    job_id: str
    source_id: str
    kind: str  # start | item | end | dropped (the worker's config has no such enabled source)
    data: Any = None
    worker: str = ""


def encode(outcome: Outcome) -> dict[bytes, bytes]:
    return {b"o": pickle.dumps(outcome, protocol=pickle.HIGHEST_PROTOCOL)}


def decode(fields: dict[bytes, bytes]) -> Outcome:
    value = pickle.loads(fields[b"o"])
    if not isinstance(value, Outcome):
        raise ValueError(f"not an outcome message: {type(value).__name__}")
    return value


RETRY_REDIS = 2.0  # seconds between attempts while Redis is unreachable
# Seconds to open a connection to Redis (arq's default is 1). A Scrapy crawl's first start stalls its
# event loop for 3-5 s (imports); a connection being opened meanwhile must not time out for it, or a
# healthy worker would drop its crawl as if Redis were down.
CONNECT_TIMEOUT = 10


async def keep_connected(run: Any, redis_url: str, log: Any, stopping: Any) -> None:
    """Await `run()` until it returns; while Redis is unreachable, say so in one line and try again
    every RETRY_REDIS seconds, until `stopping()` (a signal) says to give up."""
    import asyncio

    while not stopping():
        try:
            await run()
            return
        except REDIS_DOWN as exc:
            if stopping():
                return
            log.warning("redis at %s unreachable (%s); retrying in %g s", redis_url, exc or type(exc).__name__,
                        RETRY_REDIS)
            await asyncio.sleep(RETRY_REDIS)
