"""Politeness across the cluster: one holder per registered domain at a time, and shared pauses.

A worker takes `noticewatch:lease:<domain>` with SET NX PX before crawling any source on the domain
and renews it while it crawls; a worker killed -9 stops renewing and the lease expires after `ttl`.
Releasing leaves the key to expire after the domain's delay, so the next holder's first request
comes no sooner than one delay after this holder's last. Within a crawl Scrapy already sends one
request at a time per domain with the delay, so the domain sees one request at a time cluster-wide.
A challenge page pauses the domain for every worker (`noticewatch:pause:<domain>`).
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator
from typing import Any

from monitor.cluster.protocol import lease_key, pause_key

# Compare-and-set scripts: only the holder's token renews or releases the lease.
RENEW = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) end return 0"
RELEASE = ("if redis.call('get', KEYS[1]) == ARGV[1] then "
           "if tonumber(ARGV[2]) > 0 then return redis.call('pexpire', KEYS[1], ARGV[2]) end "
           "return redis.call('del', KEYS[1]) end return 0")


class LeaseLost(RuntimeError):
    """The lease expired under us (Redis unreachable longer than its ttl)."""


class DomainLease:
    def __init__(self, redis: Any, domain: str, ttl: float = 10.0):
        self.redis = redis
        self.domain = domain
        self.key = lease_key(domain)
        self.ttl_ms = int(ttl * 1000)
        self.token = uuid.uuid4().hex

    async def try_acquire(self) -> bool:
        return bool(await self.redis.set(self.key, self.token, nx=True, px=self.ttl_ms))

    async def renew(self) -> bool:
        return bool(await self.redis.eval(RENEW, 1, self.key, self.token, self.ttl_ms))

    async def release(self, linger: float = 0.0) -> None:
        """Give the domain up; it stays taken for `linger` seconds more (the domain's delay)."""
        await self.redis.eval(RELEASE, 1, self.key, self.token, int(linger * 1000))

    @contextlib.asynccontextmanager
    async def held(self, linger: float) -> AsyncIterator[None]:
        """Hold the (already acquired) lease, renewing it every ttl/3, released with `linger`."""
        renewer = asyncio.ensure_future(self._renew_forever())
        try:
            yield
        finally:
            renewer.cancel()
            with contextlib.suppress(Exception):  # Redis down: the lease expires on its own
                await self.release(linger)

    async def _renew_forever(self) -> None:
        while True:
            await asyncio.sleep(self.ttl_ms / 3000)
            with contextlib.suppress(Exception):  # a blip: the next renewal may still be in time
                await self.renew()


async def pause_domain(redis: Any, domain: str, seconds: float, reason: str) -> None:
    await redis.set(pause_key(domain), reason, px=max(1, int(seconds * 1000)))


async def domain_paused(redis: Any, domain: str) -> tuple[str, float] | None:
    """(reason, seconds left) while the domain is paused cluster-wide, else None."""
    reason, left = await asyncio.gather(redis.get(pause_key(domain)), redis.pttl(pause_key(domain)))
    if reason is None:
        return None
    return (reason.decode() if isinstance(reason, bytes) else str(reason)), max(0.0, left / 1000)
