"""The daemon's re-check job, run by the coordinator: stored notices fetched again with httpx
(monitor.crawl.recheck), per registered domain one source at a time, under the domain's cluster lease.

Re-checks need the store (which notices are due, their validators), so the coordinator runs them
itself rather than handing them to workers; it takes the domain's lease in Redis first, as a worker
does before a crawl, so a domain never sees a re-check and a crawl at once. Paused domains (a
challenge or ban page) are skipped; a re-check that meets a `blocked:` page pauses its domain.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta
from typing import Any

from monitor.cluster.keeper import LeaseKeeper
from monitor.cluster.lease import DomainLease
from monitor.cluster.pacing import Pacer
from monitor.config.loader import Config, Source
from monitor.store.db import Store

logger = logging.getLogger(__name__)

LEASE_WAIT = 0.5  # seconds between tries for a domain a worker is crawling


async def recheck_cluster(config: Config, db_path: str, redis: Any, keeper: LeaseKeeper, pacer: Pacer,
                          lease_ttl: float) -> list[str]:
    """Re-check every enabled source's due notices; returns the problems, one line each."""
    from monitor.crawl.recheck import recheck

    groups: dict[str, list[Source]] = {}
    for source in pacer.sources.values():
        groups.setdefault(pacer.domains[source.id], []).append(source)
    slots = asyncio.Semaphore(max(1, config.defaults.max_concurrent_sources))

    async def check_domain(domain: str, sources: list[Source]) -> list[str]:
        problems: list[str] = []
        for source in sources:
            if pacer.paused(source) is not None:
                return problems
            spec = source.spec()
            delay = spec.download_delay if spec.download_delay is not None else config.defaults.download_delay
            lease = DomainLease(redis, domain, lease_ttl)
            async with slots:
                while not await lease.try_acquire():  # a worker is crawling the domain: after it
                    await asyncio.sleep(LEASE_WAIT)
                async with lease.held(linger=delay, keeper=keeper):
                    with Store(db_path, removal_after=config.defaults.removal_after_failures) as store:
                        [result] = await recheck(config, [source], store)
            blocked = next((p for p in result.problems if p.startswith("blocked:")), None)
            if blocked:
                pacer.block(source, datetime.now(UTC) + timedelta(seconds=config.defaults.block_pause), blocked)
            problems.extend(f"{source.id}: {p}" for p in result.problems)
        return problems

    found = await asyncio.gather(*(check_domain(d, s) for d, s in groups.items()))
    return [p for group in found for p in group]
