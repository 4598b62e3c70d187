"""What `noticewatch crawl` shows while it runs, at a cost that follows the events, not the fleet.

`crawl_sources` reports each source through one callback, `(source_id, stats)`: every 0.2 s while
the source is in flight, and once more with the final stats. Stats holding `finish_reason` mean
the source has finished (a poll may see it before the final call, with counts still growing). A
source never reported yet is queued. `Tally` turns those calls into counts in O(1) per call — no
loop over the sources — and three displays read it:

- few sources on a terminal (at most SUMMARY_ABOVE): one rich Progress row per source, as before;
- many sources on a terminal: one total bar with the counts and the few sources busy longest
  (at most BUSY_ROWS), redrawn REFRESH_PER_SECOND times a second. A rich Progress row per source
  re-rendered every row on every refresh: quadratic in the fleet (bench/progress_bench.py);
- not a terminal (cron, CI, a log file): no live display, only a totals line every LOG_EVERY
  seconds and one at the end, at any N: a log grows with the crawl's duration, never with the
  number of sources. No line per source: a source's figures are final only with the last call
  (a poll can see `finish_reason` while the store pipeline still counts), and the summary printed
  after the crawl (monitor/cli/display.py crawl_summary) lists the sources on stdout anyway.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from rich.console import Console, Group, RenderableType
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.progress_bar import ProgressBar
from rich.table import Table
from rich.text import Text

SUMMARY_ABOVE = 8  # more sources than this: the summarised display
BUSY_ROWS = 5  # sources shown by name in the summarised display
REFRESH_PER_SECOND = 4
LOG_EVERY = 30.0  # seconds between totals lines when stderr is not a terminal
CHANGE_KEYS = ("noticewatch/new", "noticewatch/changed", "noticewatch/removed", "noticewatch/restored",
               "noticewatch/moved")

SKIPPED = "skipped"  # the finish_reason run_crawl reports for a source another process was crawling

Callback = Callable[[str, dict[str, Any]], None]


def run_status(stats: dict[str, Any]) -> str:
    """completed | failed | aborted | skipped, as monitor.crawl.pipeline.run_status reads final stats
    (not imported from there: that module imports Scrapy and the store; benches draw this one bare)."""
    reason = stats.get("finish_reason", "finished")
    if reason == SKIPPED:
        return SKIPPED
    if reason != "finished":
        return "aborted"
    return "failed" if stats.get("source/broken") else "completed"


@dataclass
class Busy:
    started: float  # monotonic
    stats: dict[str, Any]


class Tally:
    """Counts of a crawl's sources, kept current in O(1) per progress call (thread-safe: the
    reactor thread writes, rich's refresh thread reads)."""

    def __init__(self, total: int, clock: Callable[[], float] = time.monotonic):
        self.total = total
        self.clock = clock
        self.started_at = clock()
        self.done = self.failed = self.not_modified = 0
        self.new = self.changed = 0
        self.busy: dict[str, Busy] = {}  # in flight, in the order they started (oldest first)
        # Finished sources: (status, new, changed, nothing changed) as counted.
        self.finished: dict[str, tuple[str, int, int, bool]] = {}
        self.lock = threading.Lock()

    @property
    def in_flight(self) -> int:
        return len(self.busy)

    @property
    def queued(self) -> int:
        return self.total - len(self.finished) - len(self.busy)

    def update(self, source_id: str, stats: dict[str, Any]) -> str | None:
        """Record one progress call; returns the source's status when this call finished it.

        Stats hold `finish_reason` from Scrapy's spider_closed on, while the store pipeline still
        writes (and counts new and changed notices): a poll may see them before the final call. A
        later call for a finished source replaces its contribution to the counts."""
        with self.lock:
            if "finish_reason" not in stats:
                if source_id not in self.finished:
                    entry = self.busy.get(source_id)
                    if entry is None:
                        self.busy[source_id] = Busy(self.clock(), stats)
                    else:
                        entry.stats = stats
                return None
            self.busy.pop(source_id, None)
            previous = self.finished.get(source_id)
            if previous is not None:
                self._count(previous, -1)
            counted = (run_status(stats), int(stats.get("noticewatch/new", 0)),
                       int(stats.get("noticewatch/changed", 0)), not any(stats.get(key) for key in CHANGE_KEYS))
            self.finished[source_id] = counted
            self._count(counted, 1)
            return counted[0] if previous is None else None

    def _count(self, counted: tuple[str, int, int, bool], sign: int) -> None:
        status, new, changed, quiet = counted
        if status == "completed":
            self.done += sign
            self.not_modified += sign * quiet
        else:
            self.failed += sign
        self.new += sign * new
        self.changed += sign * changed

    def counts_line(self) -> str:
        return (f"done {self.done:,} (not modified {self.not_modified:,}) · failed {self.failed:,} · "
                f"in flight {self.in_flight:,} · queued {self.queued:,} · new {self.new:,} · "
                f"changed {self.changed:,}")

    def oldest_busy(self, rows: int = BUSY_ROWS) -> list[tuple[str, Busy]]:
        """The `rows` sources in flight longest (dicts keep insertion order: no sort, no full walk)."""
        with self.lock:
            out = []
            for item in self.busy.items():
                if len(out) == rows:
                    break
                out.append(item)
            return out


def progress_line(stats: dict[str, Any]) -> str:
    if stats.get("finish_reason") == SKIPPED:
        return "skipped: another crawl of it is running"
    lists = stats.get("source/pages/list", 0)
    details = stats.get("source/pages/detail", 0)
    new = stats.get("noticewatch/new", 0)
    changed = stats.get("noticewatch/changed", 0)
    problems = sum(v for k, v in stats.items() if k.startswith("source/problems/"))
    skipped = stats.get("source/items/known_unchanged", 0)
    line = f"{lists} list + {details} detail pages · {new} new · {changed} updated · {skipped} known"
    return line + (f" · [yellow]{problems} problem(s)[/]" if problems else "")


def summary_view(tally: Tally, rows: int = BUSY_ROWS) -> RenderableType:
    """The total bar, the counts, the sources busy longest: a fixed number of lines at any N."""
    now = tally.clock()
    finished = len(tally.finished)
    head = Table.grid(padding=(0, 1))
    head.add_row(Text("crawl", style="bold"), ProgressBar(total=max(tally.total, 1), completed=finished, width=40),
                 Text(f"{finished:,}/{tally.total:,} sources"), Text(_clock(now - tally.started_at), style="yellow"))
    parts: list[RenderableType] = [head, Text(tally.counts_line())]
    busy = tally.oldest_busy(rows)
    if busy:
        table = Table.grid(padding=(0, 1))
        for source_id, entry in busy:
            table.add_row(Text(f"  {source_id}", style="bold"), Text.from_markup(progress_line(entry.stats)),
                          Text(_clock(now - entry.started), style="yellow"))
        parts.append(table)
        more = tally.in_flight - len(busy)
        if more > 0:
            parts.append(Text(f"  … and {more:,} more in flight", style="dim"))
    return Group(*parts)


def _clock(seconds: float) -> str:
    seconds = int(max(seconds, 0))
    return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


@contextmanager
def crawl_display(console: Console, source_ids: Sequence[str],
                  clock: Callable[[], float] = time.monotonic) -> Iterator[Callback]:
    """The progress callback for a crawl of `source_ids`, drawing on `console` as the module says."""
    if not console.is_terminal:
        with _log_lines(console, Tally(len(source_ids), clock)) as callback:
            yield callback
    elif len(source_ids) <= SUMMARY_ABOVE:
        with _rows(console, source_ids) as callback:
            yield callback
    else:
        with _summary(console, Tally(len(source_ids), clock)) as callback:
            yield callback


@contextmanager
def _rows(console: Console, source_ids: Sequence[str]) -> Iterator[Callback]:
    with Progress(SpinnerColumn(), TextColumn("[bold]{task.description}"), TextColumn("{task.fields[info]}"),
                  TimeElapsedColumn(), console=console, transient=False) as progress:
        tasks = {source_id: progress.add_task(source_id, info="starting…") for source_id in source_ids}

        def on_progress(source_id: str, stats: dict[str, Any]) -> None:
            progress.update(tasks[source_id], info=progress_line(stats))

        yield on_progress


@contextmanager
def _summary(console: Console, tally: Tally) -> Iterator[Callback]:
    from rich.live import Live

    with Live(console=console, get_renderable=lambda: summary_view(tally), refresh_per_second=REFRESH_PER_SECOND,
              transient=False):
        yield tally.update


@contextmanager
def _log_lines(console: Console, tally: Tally, every: float = LOG_EVERY) -> Iterator[Callback]:
    last = [tally.clock()]

    def on_progress(source_id: str, stats: dict[str, Any]) -> None:
        tally.update(source_id, stats)
        if tally.clock() - last[0] >= every:
            last[0] = tally.clock()
            _totals(console, tally)

    yield on_progress
    _totals(console, tally)


def _totals(console: Console, tally: Tally) -> None:
    finished = len(tally.finished)
    console.print(Text(f"crawl {finished:,}/{tally.total:,} sources after "
                       f"{_clock(tally.clock() - tally.started_at)}: {tally.counts_line()}"), soft_wrap=True)
