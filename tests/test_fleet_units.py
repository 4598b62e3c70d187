"""Bounded concurrency (monitor.crawl.slots) and the schedule spread (monitor.schedule, the config's
spread_schedule): issue 16."""

from __future__ import annotations

import asyncio
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from monitor.config.errors import ConfigError
from monitor.config.loader import load_config
from monitor.crawl.slots import SourceSlots
from monitor.daemon.jobs import DaemonSettings, plan_jobs
from monitor.schedule import CRON_SPREAD, parse_schedule


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
    # An interval over its whole period; a cron line only when its window is widened to it.
    for line, window in (("every 6h", True), ("0 */6 * * *", 6 * 3600.0)):
        schedule = parse_schedule(line)
        firsts = [schedule.spread(f"source_{n}", window=window).at_or_after(now) for n in range(200)]
        assert all(now <= t < now + timedelta(hours=6) for t in firsts)
        # Not all at once: the runs fall into most of the period's 36 ten-minute bins.
        assert len({int((t - now).total_seconds() // 600) for t in firsts}) > 25
        # The same source gets the same offset again (a restart, another machine).
        assert schedule.spread("source_7", window=window).at_or_after(now) == firsts[7]
        nxt = schedule.spread("source_7", window=window).next_after(firsts[7])
        assert nxt - firsts[7] == timedelta(hours=6)


def test_a_cron_line_is_spread_within_an_hour_by_default() -> None:
    """A daily "0 9 * * *" runs between 9:00 and 10:00, not at any time of the day."""
    now = datetime(2026, 12, 2, 8, 0, tzinfo=UTC)
    daily = parse_schedule("0 9 * * *")
    firsts = [daily.spread(f"source_{n}").at_or_after(now) for n in range(200)]
    nine = now.replace(hour=9)
    assert all(nine <= t < nine + timedelta(seconds=CRON_SPREAD) for t in firsts)
    assert len({int((t - nine).total_seconds() // 300) for t in firsts}) > 9  # most 5-minute bins
    # A window narrower than the gap caps it; one wider than the gap is capped by the gap.
    assert all(daily.spread(f"s{n}", window=600).at_or_after(now) < nine + timedelta(minutes=10) for n in range(50))
    quarter = parse_schedule("*/15 * * * *")
    assert all(quarter.spread(f"s{n}", window=3600).offset < 900 for n in range(50))


def test_spread_switched_off_runs_exactly_on_the_schedule() -> None:
    now = datetime(2026, 12, 2, 8, 0, tzinfo=UTC)
    daily = parse_schedule("0 9 * * *")
    for window in (False, 0):
        assert daily.spread("source_1", window=window).at_or_after(now) == now.replace(hour=9)
    assert parse_schedule("every 6h").spread("source_1", window=False).offset is None


def test_spread_schedule_in_the_config(tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    source = "{id: %s, kind: nfcms, start_urls: [http://127.0.0.1/a/index.html]%s}"
    path.write_text("defaults: {spread_schedule: 30m}\nsources:\n"
                    f"  - {source % ('a', '')}\n  - {source % ('b', ', spread_schedule: false')}\n"
                    f"  - {source % ('c', ', spread_schedule: true')}\n", encoding="utf-8")
    config = load_config(path)
    assert [s.spread_schedule for s in config.sources] == [1800.0, False, True]
    assert load_config(path).defaults.spread_schedule == 1800.0
    jobs = {job.key: job for job in plan_jobs(config, DaemonSettings())}
    assert 0 <= jobs["crawl:a"].schedule.offset < 1800
    assert jobs["crawl:b"].schedule.offset is None
    path.write_text("defaults: {spread_schedule: sometimes}\nsources: []\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"defaults: spread_schedule: expected true, false or a duration"):
        load_config(path)
