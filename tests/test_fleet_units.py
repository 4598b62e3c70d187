"""Bounded concurrency (monitor.crawl.slots) and the schedule spread (monitor.schedule): issue 16."""

from __future__ import annotations

import asyncio
import random
from datetime import UTC, datetime, timedelta

from monitor.crawl.slots import SourceSlots
from monitor.schedule import parse_schedule


def test_never_more_than_the_limit_in_flight_and_one_per_domain() -> None:
    async def main() -> tuple[int, int, list[int]]:
        slots = SourceSlots(limit=3)
        busy: dict[str, int] = {}
        overlaps = 0
        done: list[int] = []

        async def crawl(n: int) -> None:
            nonlocal overlaps
            domain = f"d{n % 5}.gov.cn"
            async with slots.held(f"s{n}", domain):
                busy[domain] = busy.get(domain, 0) + 1
                overlaps += busy[domain] > 1
                assert slots.in_flight <= 3
                await asyncio.sleep(random.uniform(0, 0.005))
                busy[domain] -= 1
                done.append(n)

        await asyncio.gather(*(crawl(n) for n in range(40)))
        return slots.peak, overlaps, done

    peak, overlaps, done = asyncio.run(main())
    assert peak == 3 and overlaps == 0 and sorted(done) == list(range(40))


def test_the_backlog_says_how_many_wait() -> None:
    async def main() -> tuple[int, int]:
        slots = SourceSlots(limit=1)
        release = asyncio.Event()

        async def hold(n: int) -> None:
            async with slots.held(f"s{n}", f"d{n}"):
                await release.wait()

        tasks = [asyncio.create_task(hold(n)) for n in range(4)]
        await asyncio.sleep(0.01)
        backlog = slots.backlog()
        release.set()
        await asyncio.gather(*tasks)
        return backlog.queued, slots.backlog().queued

    assert asyncio.run(main()) == (3, 0)


def test_spread_is_stable_per_source_and_spreads_a_fleet_over_the_period() -> None:
    now = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)
    for line in ("every 6h", "0 */6 * * *"):
        schedule = parse_schedule(line)
        firsts = [schedule.spread(f"source_{n}").at_or_after(now) for n in range(200)]
        assert all(now <= t < now + timedelta(hours=6) for t in firsts)
        # Not all at once: the runs fall into most of the period's 36 ten-minute bins.
        assert len({int((t - now).total_seconds() // 600) for t in firsts}) > 25
        # The same source gets the same offset again (a restart, another machine).
        assert schedule.spread("source_7").at_or_after(now) == firsts[7]
        nxt = schedule.spread("source_7").next_after(firsts[7])
        assert nxt - firsts[7] == timedelta(hours=6)
