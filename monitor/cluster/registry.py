"""Who is working: each worker's record in one Redis hash, and the queue's depth, for `noticewatch status`.

A worker rewrites its record every HEARTBEAT seconds; a record not refreshed for STALE seconds is
shown as gone (a worker killed -9 cannot remove its own).
"""

from __future__ import annotations

import pickle
import time
from dataclasses import dataclass, replace
from typing import Any

from monitor.cluster.protocol import QUEUE, STREAM, WORKERS

HEARTBEAT = 2.0
STALE = 15.0


@dataclass(frozen=True)
class WorkerRecord:
    worker_id: str  # host:pid
    host: str
    since: float  # Unix seconds
    seen: float
    last_job: str | None = None
    jobs_done: int = 0
    failures: int = 0
    current: str | None = None

    def alive(self, now: float | None = None) -> bool:
        return (now or time.time()) - self.seen < STALE

    def beat(self) -> WorkerRecord:
        return replace(self, seen=time.time())


async def publish(redis: Any, record: WorkerRecord) -> None:
    await redis.hset(WORKERS, record.worker_id, pickle.dumps(record))


async def withdraw(redis: Any, worker_id: str) -> None:
    await redis.hdel(WORKERS, worker_id)


@dataclass(frozen=True)
class ClusterStatus:
    workers: tuple[WorkerRecord, ...]
    queued: int  # jobs waiting in arq's queue (including ones being retried)
    unapplied: int  # outcome messages the coordinator has not yet committed


def read_status(redis_url: str) -> ClusterStatus:
    """Synchronous read for the CLI (no event loop there)."""
    import redis

    client = redis.Redis.from_url(redis_url, socket_connect_timeout=2, socket_timeout=2)
    try:
        raw = client.hgetall(WORKERS)
        queued = int(client.zcard(QUEUE))
        unapplied = 0
        if client.exists(STREAM):
            for group in client.xinfo_groups(STREAM):
                unapplied += int(group.get("pending", 0)) + int(group.get("lag") or 0)
    finally:
        client.close()
    workers = sorted((pickle.loads(v) for v in raw.values()), key=lambda r: r.worker_id)
    return ClusterStatus(tuple(workers), queued, unapplied)
