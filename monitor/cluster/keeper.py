"""Renew a worker's Redis leases from a thread, for as long as its event loop is alive.

A worker holds two kinds of lease while it crawls: its job's in-progress key (arq's; monitor.cluster.
arqworker) and the domain's lease (monitor.cluster.lease). Both expire after `lease_ttl` unless
renewed, which is how a worker killed -9 lets its job and its domain go within seconds. Renewing them
from a task on the event loop is not enough: the loop stalls now and then — the first crawl in a
process spends 3 to 5 s importing Scrapy's components on a busy 2-core machine (measured: the
renewal task woke 3.0-4.7 s late, past a 2 s lease) — and a lease lost under a live crawl lets a
second worker crawl the same domain and the same job at once.

So a thread renews them every ttl/3, whatever the loop is doing, but only while the loop still beats
(`beat()`, from a task on the loop) within STALL_LIMIT seconds: a worker whose loop is stuck for
good stops renewing too, and its job is retaken. A domain lease found gone or taken by another
holder is dropped and its `on_lost` called on the loop (the worker stops that crawl).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

logger = logging.getLogger(__name__)

STALL_LIMIT = 60.0  # seconds without a beat from the loop after which the leases are left to expire

# Compare-and-set: only the holder's token renews (same script as monitor.cluster.lease.RENEW).
RENEW = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) end return 0"


@dataclass(frozen=True)
class Held:
    ttl_ms: int
    token: str | None = None  # None: a key whose value is not ours to check (arq's in-progress key)
    on_lost: Callable[[], Any] | None = None


class LeaseKeeper:
    def __init__(self, redis_url: str, ttl: float, stall_limit: float = STALL_LIMIT):
        import redis

        self.client = redis.Redis.from_url(redis_url, socket_timeout=max(1.0, ttl / 3),
                                           socket_connect_timeout=max(1.0, ttl / 3))
        self.period = ttl / 3
        self.stall_limit = stall_limit
        self.held: dict[str, Held] = {}
        self.lock = threading.Lock()
        self.last_beat = time.monotonic()
        self.stopped = threading.Event()
        self.thread: threading.Thread | None = None
        self.loop: asyncio.AbstractEventLoop | None = None

    def hold(self, key: str, ttl: float, token: str | None = None, on_lost: Callable[[], Any] | None = None) -> None:
        with self.lock:
            self.held[key] = Held(int(ttl * 1000), token, on_lost)

    def drop(self, key: str) -> None:
        with self.lock:
            self.held.pop(key, None)

    def beat(self) -> None:
        self.last_beat = time.monotonic()

    def start(self) -> None:
        self.loop = asyncio.get_running_loop()
        self.beat()
        self.thread = threading.Thread(target=self._run, name="lease-keeper", daemon=True)
        self.thread.start()

    def stop(self) -> None:
        """Stop renewing (what a worker killed -9 does); the leases expire after their ttl."""
        self.stopped.set()
        if self.thread is not None:
            self.thread.join(timeout=5)
        with contextlib.suppress(Exception):
            self.client.close()

    async def beat_forever(self) -> None:
        while True:
            self.beat()
            await asyncio.sleep(self.period / 2)

    def _run(self) -> None:
        while not self.stopped.wait(self.period):
            if time.monotonic() - self.last_beat > self.stall_limit:
                continue  # the loop is stuck: let the leases go, another worker takes over
            self.renew_all()

    def renew_all(self) -> None:
        with self.lock:
            held = list(self.held.items())
        for key, lease in held:
            try:
                if lease.token is None:
                    self.client.pexpire(key, lease.ttl_ms)  # a no-op once arq deleted it (job ended)
                    continue
                if self.client.eval(RENEW, 1, key, lease.token, lease.ttl_ms):
                    continue
            except Exception as exc:  # noqa: BLE001 - Redis away: the next round may still be in time
                logger.debug("renewing %s failed: %s", key, exc)
                continue
            self.drop(key)
            if lease.on_lost is not None and self.loop is not None:
                with contextlib.suppress(RuntimeError):  # the loop closed meanwhile
                    self.loop.call_soon_threadsafe(lease.on_lost)
