"""Per-registered-domain politeness for httpx fetches (re-checks): the crawler's rules, outside Scrapy.

One request at a time per registered domain (several *.zhuhai.gov.cn hosts share one firewall),
at least `delay` seconds apart; loopback is exempt. A domain that served a challenge is paused.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from crawler.politeness import is_loopback_url, registered_domain


class DomainGate:
    def __init__(self, delay: float):
        self.delay = delay
        self._locks: dict[str, asyncio.Lock] = {}
        self._last: dict[str, float] = {}
        self.paused: dict[str, str] = {}  # domain → reason

    @asynccontextmanager
    async def slot(self, url: str) -> AsyncIterator[None]:
        domain = registered_domain(url)
        lock = self._locks.setdefault(domain, asyncio.Lock())
        async with lock:
            if not is_loopback_url(url):
                wait = self._last.get(domain, 0.0) + self.delay - time.monotonic()
                if wait > 0:
                    await asyncio.sleep(wait)
            try:
                yield
            finally:
                self._last[domain] = time.monotonic()

    def pause(self, url: str, reason: str) -> None:
        self.paused.setdefault(registered_domain(url), reason)

    def is_paused(self, url: str) -> bool:
        return registered_domain(url) in self.paused
