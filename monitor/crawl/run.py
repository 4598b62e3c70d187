"""`noticewatch crawl` / `sources check`: run sources once with live progress on the terminal."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from monitor.config.loader import Config, Source
from monitor.crawl.runner import CrawlResult, crawl_settings, crawl_sources, run_reactor
from monitor.store.db import Store


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
    with Progress(
        SpinnerColumn(),
        TextColumn("[bold]{task.description}"),
        TextColumn("{task.fields[info]}"),
        TimeElapsedColumn(),
        console=console or Console(stderr=True),
        transient=False,
    ) as progress:
        tasks = {spec.id: progress.add_task(spec.id, info="starting…") for spec in specs}

        def on_progress(source_id: str, stats: dict[str, Any]) -> None:
            progress.update(tasks[source_id], info=progress_line(stats))

        return run_reactor(lambda: crawl_sources(specs, settings, on_progress, full=full))


def progress_line(stats: dict[str, Any]) -> str:
    lists = stats.get("source/pages/list", 0)
    details = stats.get("source/pages/detail", 0)
    new = stats.get("noticewatch/new", 0)
    changed = stats.get("noticewatch/changed", 0)
    problems = sum(v for k, v in stats.items() if k.startswith("source/problems/"))
    skipped = stats.get("source/items/known_unchanged", 0)
    line = f"{lists} list + {details} detail pages · {new} new · {changed} updated · {skipped} known"
    return line + (f" · [yellow]{problems} problem(s)[/]" if problems else "")
