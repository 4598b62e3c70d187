"""Politeness across the cluster: one holder per registered domain at a time, and shared pauses.

A worker takes `noticewatch:lease:<domain>` with SET NX PX before crawling any source on the domain
and renews it while it crawls (from a thread: monitor.cluster.keeper); a worker killed -9 stops
renewing and the lease expires after `ttl`; a worker that finds its lease gone stops that crawl.
Releasing leaves the key to expire after the domain's delay, so the next holder's first request
comes no sooner than one delay after this holder's last. Within a crawl Scrapy already sends one
request at a time per domain with the delay, so the domain sees one request at a time cluster-wide.
A challenge page pauses the domain for every worker (`noticewatch:pause:<domain>`).
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator, Callable
from typing import Any

from monitor.cluster.keeper import RENEW, LeaseKeeper
from monitor.cluster.protocol import lease_key, pause_key

# Compare-and-set: only the holder's token releases the lease (or renews it: keeper.RENEW).
RELEASE = ("if redis.call('get', KEYS[1]) == ARGV[1] then "
           "if tonumber(ARGV[2]) > 0 then return redis.call('pexpire', KEYS[1], ARGV[2]) end "
           "return redis.call('del', KEYS[1]) end return 0")


class LeaseLost(RuntimeError):
    """The lease expired or was taken under a crawl (Redis unreachable, or the worker's loop stuck,
    for longer than its ttl): the crawl was stopped and its job goes back to the queue."""


class DomainLease:
    def __init__(self, redis: Any, domain: str, ttl: float = 10.0):
        self.redis = redis
        self.domain = domain
        self.key = lease_key(domain)
        self.ttl_ms = int(ttl * 1000)
        self.token = uuid.uuid4().hex
        self.lost = False  # a renewal found the key gone or taken: another worker may hold the domain now
        self.on_lost: Callable[[], Any] | None = None  # called on the loop when `lost` turns true

    async def try_acquire(self) -> bool:
        return bool(await self.redis.set(self.key, self.token, nx=True, px=self.ttl_ms))

    async def renew(self) -> bool:
        return bool(await self.redis.eval(RENEW, 1, self.key, self.token, self.ttl_ms))

    async def release(self, linger: float = 0.0) -> None:
        """Give the domain up; it stays taken for `linger` seconds more (the domain's delay)."""
        await self.redis.eval(RELEASE, 1, self.key, self.token, int(linger * 1000))

    @contextlib.asynccontextmanager
    async def held(self, linger: float, keeper: LeaseKeeper) -> AsyncIterator[None]:
        """Hold the (already acquired) lease, renewed by `keeper` every ttl/3, released with `linger`.
        Found gone or taken at a renewal: `lost` turns true and `on_lost` is called on the loop."""
        keeper.hold(self.key, self.ttl_ms / 1000, self.token, self._lose)
        try:
            yield
        finally:
            keeper.drop(self.key)
            with contextlib.suppress(Exception):  # Redis down: the lease expires on its own
                await self.release(linger)

    def _lose(self) -> None:
        self.lost = True
        if self.on_lost is not None:
            self.on_lost()


async def pause_domain(redis: Any, domain: str, seconds: float, reason: str) -> None:
    await redis.set(pause_key(domain), reason, px=max(1, int(seconds * 1000)))


async def domain_paused(redis: Any, domain: str) -> tuple[str, float] | None:
    """(reason, seconds left) while the domain is paused cluster-wide, else None."""
    reason, left = await asyncio.gather(redis.get(pause_key(domain)), redis.pttl(pause_key(domain)))
    if reason is None:
        return None
    return (reason.decode() if isinstance(reason, bytes) else str(reason)), max(0.0, left / 1000)
