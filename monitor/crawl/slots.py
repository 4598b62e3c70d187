"""Bounded concurrency for crawls: at most `limit` sources in flight, the rest queued in arrival
order, and never two sources of one registered domain at once (they share a firewall; docs/portals.md
"Anti-bot").

One `SourceSlots` is shared by everything that crawls in a process (`crawl_sources`, the daemon's
jobs, a cluster worker): `async with slots.held(source_id, domain):` around the crawl. A source
first waits for its domain (so a slot is never held by a source idle behind its sibling), then for
a slot. Waiting costs a coroutine, nothing else: no Scrapy crawler is built before the slot is
held, so memory follows `limit`, not the number of sources. `backlog()` says how many wait and
for how long the oldest has; `peak` is the most ever in flight (tests, benchmarks).
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

DEFAULT_LIMIT = 32  # config `defaults.max_concurrent_sources`


@dataclass(frozen=True)
class Backlog:
    queued: int  # sources waiting for their domain or a slot
    oldest_wait: float  # seconds the longest-waiting one has waited (0 when none waits)
    in_flight: int
    limit: int


class SourceSlots:
    def __init__(self, limit: int = DEFAULT_LIMIT):
        if limit < 1:
            raise ValueError(f"max_concurrent_sources must be at least 1, got {limit}")
        self.limit = limit
        self.in_flight = 0
        self.peak = 0
        self._free = asyncio.Semaphore(limit)
        self._domains: dict[str, asyncio.Lock] = {}
        self._users: dict[str, int] = {}  # holders + waiters per domain, to drop idle locks
        self._waiting: dict[int, float] = {}  # ticket -> monotonic time queued
        self._tickets = itertools.count()

    @asynccontextmanager
    async def held(self, source_id: str, domain: str) -> AsyncIterator[None]:
        """Wait for `domain` and a free slot, hold both for the block."""
        ticket = next(self._tickets)
        self._waiting[ticket] = time.monotonic()
        lock = self._domains.setdefault(domain, asyncio.Lock())
        self._users[domain] = self._users.get(domain, 0) + 1
        try:
            async with lock:
                async with self._free:
                    del self._waiting[ticket]
                    self.in_flight += 1
                    self.peak = max(self.peak, self.in_flight)
                    try:
                        yield
                    finally:
                        self.in_flight -= 1
        finally:
            self._waiting.pop(ticket, None)
            self._users[domain] -= 1
            if not self._users[domain]:  # 10,000 domains must not leave 10,000 locks behind
                del self._users[domain]
                del self._domains[domain]

    def domain_busy(self, domain: str) -> bool:
        """True while a source of `domain` holds or waits for it."""
        return domain in self._domains

    def backlog(self) -> Backlog:
        oldest = min(self._waiting.values(), default=None)
        wait = time.monotonic() - oldest if oldest is not None else 0.0
        return Backlog(len(self._waiting), wait, self.in_flight, self.limit)
