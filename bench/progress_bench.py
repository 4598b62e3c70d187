"""The crawl's progress display: CPU time to show N sources, each reported ~10 times.

    .venv/bin/python bench/progress_bench.py [--sizes 100,1000,10000] [--old-sizes 50,100,200]

A simulated crawl on a virtual clock, as `crawl_sources` reports it: `--limit` sources in flight
(default 32), each polled every 0.2 s for `--updates` calls (the last one its final stats), the next
queued source starting as one finishes. The display redraws at its own rate on that clock, into a
forced-terminal rich Console writing to memory (no terminal I/O timed). Printed per N: events,
redraws, CPU seconds (process time: every thread), and CPU per source and per event.

- "summary": monitor/crawl/progress.py's display for many sources (Tally + summary_view), 4 redraws/s;
- "per-source rows": what run.py drew before, one rich Progress task per source, 10 redraws/s —
  every redraw renders every row, so its cost per source grows with N (run at smaller N).

Goal: the summary's CPU per source flat from 100 to 10,000 sources.
"""

from __future__ import annotations

import argparse
import io
import sys
import time
from collections import deque
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from rich.console import Console  # noqa: E402
from rich.live import Live  # noqa: E402
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn  # noqa: E402

from monitor.crawl.progress import REFRESH_PER_SECOND, Tally, progress_line, summary_view  # noqa: E402

POLL = 0.2  # seconds between a source's progress calls (monitor/crawl/runner.py _poll_progress)


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def events(sources: int, updates: int, limit: int, clock: Clock) -> Iterator[tuple[str, dict[str, Any]]]:
    """(source_id, stats) in the order a crawl reports them, advancing `clock` by POLL per round."""
    queue = deque(f"source_{i:05d}" for i in range(sources))
    busy: dict[str, int] = {}
    while queue or busy:
        while queue and len(busy) < limit:
            busy[queue.popleft()] = 0
        clock.now += POLL
        for source_id in list(busy):
            busy[source_id] += 1
            count = busy[source_id]
            stats: dict[str, Any] = {"source/pages/list": 1, "source/pages/detail": count,
                                     "noticewatch/new": count % 3}
            if count >= updates:
                stats["finish_reason"] = "finished"
                del busy[source_id]
            yield source_id, stats


def drive(callback: Callable[[str, dict[str, Any]], None], redraw: Callable[[], None], rate: float,
          sources: int, updates: int, limit: int, clock: Clock) -> tuple[int, int, float]:
    """Feed the events to `callback`, `redraw()` `rate` times per virtual second; (events, redraws, CPU s)."""
    count = redraws = 0
    next_redraw = 1 / rate
    cpu = time.process_time()
    for source_id, stats in events(sources, updates, limit, clock):
        callback(source_id, stats)
        count += 1
        while clock.now >= next_redraw:
            redraw()
            redraws += 1
            next_redraw += 1 / rate
    redraw()
    return count, redraws + 1, time.process_time() - cpu


def terminal() -> Console:
    return Console(file=io.StringIO(), force_terminal=True, width=120, height=40)


def summary(sources: int, updates: int, limit: int) -> tuple[int, int, float]:
    clock = Clock()
    tally = Tally(sources, clock=clock)
    with Live(console=terminal(), get_renderable=lambda: summary_view(tally), auto_refresh=False) as live:
        return drive(tally.update, live.refresh, REFRESH_PER_SECOND, sources, updates, limit, clock)


def per_source_rows(sources: int, updates: int, limit: int) -> tuple[int, int, float]:
    clock = Clock()
    with Progress(SpinnerColumn(), TextColumn("[bold]{task.description}"), TextColumn("{task.fields[info]}"),
                  TimeElapsedColumn(), console=terminal(), auto_refresh=False) as progress:
        cpu = time.process_time()
        tasks = {f"source_{i:05d}": progress.add_task(f"source_{i:05d}", info="starting…") for i in range(sources)}
        setup = time.process_time() - cpu

        def update(source_id: str, stats: dict[str, Any]) -> None:
            progress.update(tasks[source_id], info=progress_line(stats))

        count, redraws, spent = drive(update, progress.refresh, 10, sources, updates, limit, clock)
        return count, redraws, spent + setup


def report(name: str, sources: int, figures: tuple[int, int, float]) -> None:
    count, redraws, cpu = figures
    print(f"{name:16} N={sources:>6,}  events {count:>7,}  redraws {redraws:>6,}  CPU {cpu:8.2f} s  "
          f"{cpu / sources * 1000:8.3f} ms/source  {cpu / count * 1e6:8.1f} µs/event", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="100,1000,10000", help="N for the summary display")
    parser.add_argument("--old-sizes", default="50,100,200", help="N for the per-source rows (quadratic)")
    parser.add_argument("--updates", type=int, default=10, help="progress calls per source")
    parser.add_argument("--limit", type=int, default=32, help="sources in flight")
    args = parser.parse_args()
    for size in (int(s) for s in args.sizes.split(",") if s):
        report("summary", size, summary(size, args.updates, args.limit))
    for size in (int(s) for s in args.old_sizes.split(",") if s):
        report("per-source rows", size, per_source_rows(size, args.updates, args.limit))


if __name__ == "__main__":
    main()
