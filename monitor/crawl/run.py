"""`noticewatch crawl` / `sources check`: run sources once with live progress on the terminal
(monitor/crawl/progress.py: per-source rows, a summary at many sources, plain lines off a terminal)."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from pathlib import Path

from rich.console import Console

from monitor.config.loader import Config, Source
from monitor.crawl.progress import SKIPPED, crawl_display, progress_line
from monitor.crawl.runner import CrawlResult, crawl_settings, crawl_sources, run_reactor
from monitor.store.db import Store

__all__ = ["progress_line", "run_crawl"]


def run_crawl(
    config: Config,
    sources: Sequence[Source],
    db_path: Path | None,
    max_pages: int | None = None,
    full: bool = False,
    console: Console | None = None,
) -> list[CrawlResult]:
    """Crawl `sources` once; store into `db_path` (None: dry run, items returned in `scraped`)."""
    specs = [s.spec() for s in sources]
    if max_pages is not None:
        specs = [dataclasses.replace(spec, max_pages=max_pages) for spec in specs]
    if db_path is not None:
        Store(db_path).close()  # create/migrate now: a bad --db fails before any request is sent
    settings = crawl_settings(config.defaults, db_path)
    with crawl_display(console or Console(stderr=True), [spec.id for spec in specs]) as on_progress:
        results = run_reactor(lambda: crawl_sources(specs, settings, on_progress, full=full))
        for result in results:
            if result.status == SKIPPED:  # crawl_sources reports no final stats for these
                on_progress(result.source_id, {"finish_reason": SKIPPED})
    return results
