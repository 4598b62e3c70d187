"""Run spiders in-process: Scrapy's AsyncCrawlerRunner on the asyncio reactor (docs/portals.md "Shape").

Sources on the same registered domain run one after another (they share a firewall); different
domains run side by side. `run_reactor` is the one place that installs and drives the reactor.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from crawler import parsepool
from crawler.kinds import spider_for
from crawler.politeness import registered_domain
from crawler.source import SourceSpec
from monitor.config.loader import Defaults
from monitor.crawl.slots import DEFAULT_LIMIT, SourceSlots
from monitor.shutdown import SHUTDOWN, Interrupted
from monitor.store.locks import source_lock

REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
# After SIGINT/SIGTERM, how long the work gets to stop cleanly (crawls close: what was fetched is
# written, runs recorded as aborted) before it is cancelled.
STOP_GRACE = 8.0
T = TypeVar("T")


@dataclass(frozen=True)
class CrawlResult:
    source_id: str
    status: str  # completed | failed | aborted | skipped (another process was crawling it)
    pages: int
    requests: int
    items: int
    new: int
    changed: int
    unchanged: int
    removed: int
    restored: int
    moved: int
    skipped: int  # known, unchanged list entries not re-fetched (incremental)
    problems: tuple[str, ...]
    run_id: int | None = None
    scraped: tuple[Any, ...] = field(default=(), repr=False)  # dry runs only


ProgressCallback = Callable[[str, dict[str, Any]], None]


def crawl_settings(defaults: Defaults, db_path: Path | None, log_level: str = "WARNING") -> Any:
    """Scrapy settings: crawler.settings, overlaid with config defaults and the store pipeline."""
    from scrapy.settings import Settings

    settings = Settings()
    settings.setmodule("crawler.settings", priority="project")
    settings.set("DOWNLOAD_DELAY", defaults.download_delay, priority="cmdline")
    settings.set("AUTOTHROTTLE_START_DELAY", defaults.download_delay, priority="cmdline")
    settings.set("RETRY_TIMES", defaults.retries, priority="cmdline")
    settings.set("NOTICEWATCH_PAUSE_AFTER_FAILURES", defaults.pause_after_failures, priority="cmdline")
    settings.set("DOWNLOAD_TIMEOUT", defaults.timeout, priority="cmdline")
    if defaults.user_agent:
        settings.set("USER_AGENT", defaults.user_agent, priority="cmdline")
    settings.set("LOG_LEVEL", log_level, priority="cmdline")
    settings.set("NOTICEWATCH_MAX_CONCURRENT_SOURCES", defaults.max_concurrent_sources, priority="cmdline")
    if db_path is not None:
        settings.set("NOTICEWATCH_DB", str(db_path), priority="cmdline")
        settings.set("NOTICEWATCH_REMOVAL_AFTER", defaults.removal_after_failures, priority="cmdline")
        settings.set("ITEM_PIPELINES", {"monitor.crawl.pipeline.StorePipeline": 300}, priority="cmdline")
    return settings


async def crawl_sources(
    specs: Sequence[SourceSpec],
    settings: Any,
    progress: ProgressCallback | None = None,
    full: bool = False,
    slots: SourceSlots | None = None,
) -> list[CrawlResult]:
    """Crawl each source once. Incremental unless `full`: known, unchanged list entries are skipped.

    At most `slots.limit` sources in flight (default: a SourceSlots of the settings'
    NOTICEWATCH_MAX_CONCURRENT_SOURCES), one per registered domain at a time: `slots.limit`
    workers take the domains in order, a domain's sources one after another. Pass the process's
    shared `slots` when other crawls run beside this one (the daemon, a worker)."""
    from scrapy.crawler import AsyncCrawlerRunner

    runner = AsyncCrawlerRunner(settings)
    if slots is None:
        slots = SourceSlots(settings.getint("NOTICEWATCH_MAX_CONCURRENT_SOURCES", DEFAULT_LIMIT))
    unregister = SHUTDOWN.on_stop(runner.stop)  # SIGINT/SIGTERM: every crawl closes, as aborted
    groups: dict[str, list[SourceSpec]] = {}
    for spec in specs:
        groups.setdefault(registered_domain(spec.start_urls[0]), []).append(spec)
    queue = deque(groups.items())
    results: dict[str, CrawlResult] = {}

    async def worker() -> None:
        # After a stop was asked for, no further source is started.
        while queue and not SHUTDOWN.requested:
            domain, group = queue.popleft()
            for spec in group:
                if SHUTDOWN.requested:
                    return
                async with slots.held(spec.id, domain):
                    results[spec.id] = await crawl_one(runner, spec, progress, full)

    try:
        async with parsepool.held():  # one parse worker for all of them, stopped after
            await asyncio.gather(*(worker() for _ in range(min(slots.limit, len(queue)))))
    finally:
        unregister()
    return [results[spec.id] for spec in specs if spec.id in results]


def source_settings(base: Any, spec: SourceSpec) -> Any:
    """The crawl's settings with this source's politeness overrides (delay, retries, pause)."""
    settings = base.copy()
    for name, value in spec.scrapy_settings().items():
        settings.set(name, value, priority="cmdline")
    return settings


async def crawl_one(
    runner: Any, spec: SourceSpec, progress: ProgressCallback | None, full: bool
) -> CrawlResult:
    from scrapy import signals
    from scrapy.crawler import Crawler

    from crawler.items import NoticeItem
    from monitor.store.locks import SourceBusy

    crawler = Crawler(spider_for(spec.kind), source_settings(runner.settings, spec))
    scraped: list[Any] = []
    db_path = runner.settings.get("NOTICEWATCH_DB")
    if not db_path:

        def keep(item: Any, **_: Any) -> None:
            if isinstance(item, NoticeItem):
                scraped.append(item)

        crawler.signals.connect(keep, signal=signals.item_scraped, weak=False)
    poller = asyncio.ensure_future(_poll_progress(crawler, spec.id, progress)) if progress else None
    try:
        # One crawl per source and database at a time (monitor.store.locks); what is known is read
        # under the lock, after any crawl we waited for has written.
        async with source_lock(db_path, spec.id) if db_path else contextlib.nullcontext():
            known, listed = _known_listing(db_path, spec.id, full) if db_path else ({}, {})
            await runner.crawl(crawler, source=spec, known=known, full=full or not db_path, listed=listed)
    except SourceBusy as exc:
        return CrawlResult(spec.id, "skipped", 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, problems=(f"busy: {exc}",))
    finally:
        if poller:
            poller.cancel()
    return _result(crawler, spec, progress, scraped, bool(db_path))


def _known_listing(db_path: str, source_id: str, full: bool) -> tuple[dict[str, Any], dict[str, Any]]:
    """What the store knows of a source's lists: its notices' entries (none for a full crawl), and
    the entries its keywords passed over (crawler/relevance.py: fetched once the keywords match)."""
    from monitor.store.db import Store

    with Store(db_path) as store:
        return ({} if full else store.known_listing(source_id)), store.skipped_listing(source_id)


def _result(
    crawler: Any, spec: SourceSpec, progress: ProgressCallback | None, scraped: list[Any], stored: bool
) -> CrawlResult:
    from monitor.crawl.pipeline import StorePipeline, run_status

    stats = crawler.stats.get_stats()
    if progress:
        progress(spec.id, stats)
    pipeline = crawler.get_item_pipeline(StorePipeline) if stored else None
    run = pipeline and pipeline.run_id
    problems = tuple(getattr(crawler.spider, "problems", ()))
    pages = int(stats.get("source/pages/list", 0)) + int(stats.get("source/pages/detail", 0))
    return CrawlResult(
        source_id=spec.id,
        status=run_status(stats.get("finish_reason", "finished"), stats),
        pages=pages,
        requests=int(stats.get("downloader/request_count", 0)),
        items=int(stats.get("source/pages/detail", 0)),
        new=int(stats.get("noticewatch/new", 0)),
        changed=int(stats.get("noticewatch/changed", 0)),
        unchanged=int(stats.get("noticewatch/unchanged", 0)),
        removed=int(stats.get("noticewatch/removed", 0)),
        restored=int(stats.get("noticewatch/restored", 0)),
        moved=int(stats.get("noticewatch/moved", 0)),
        skipped=int(stats.get("source/items/known_unchanged", 0)),
        problems=problems,
        run_id=run or None,
        scraped=tuple(scraped),
    )


async def _poll_progress(crawler: Any, source_id: str, progress: ProgressCallback) -> None:
    while True:
        await asyncio.sleep(0.2)
        if crawler.stats is not None:
            progress(source_id, crawler.stats.get_stats())


def run_reactor(main: Callable[[], Awaitable[T]]) -> T:
    """Install the asyncio reactor, run `main()` to completion on it, stop, return its result.

    The reactor must be installed before anything imports twisted.internet.reactor (docs/internals.md, "Library facts").
    SIGINT/SIGTERM (monitor/shutdown.py) ask the work to stop; it gets STOP_GRACE seconds, then
    `main()` is cancelled and Interrupted raised. (Twisted's own handlers would stop the reactor
    under the crawl: no pipeline closed, no result.) Callers look at SHUTDOWN.requested."""
    from scrapy.utils.reactor import install_reactor, is_asyncio_reactor_installed, is_reactor_installed

    if not is_reactor_installed():
        install_reactor(REACTOR)
    elif not is_asyncio_reactor_installed():
        raise RuntimeError("a non-asyncio Twisted reactor is already installed")
    from twisted.internet import defer, reactor

    outcome: dict[str, Any] = {}

    def start() -> None:
        task = asyncio.ensure_future(main())
        outcome["unregister"] = SHUTDOWN.on_stop(lambda: asyncio.get_running_loop().call_later(STOP_GRACE, task.cancel))
        d = defer.Deferred.fromFuture(task)
        d.addCallbacks(lambda r: outcome.setdefault("result", r), lambda f: outcome.setdefault("failure", f))
        d.addBoth(lambda _: reactor.stop())

    reactor.callWhenRunning(start)
    with SHUTDOWN.installed():
        reactor.run(installSignalHandlers=False)
    if "unregister" in outcome:
        outcome["unregister"]()
    if "failure" in outcome:
        if outcome["failure"].check(Interrupted):
            outcome["failure"].raiseException()  # the work's own account of what it kept
        if SHUTDOWN.requested:
            raise Interrupted(SHUTDOWN.signum or 2, "stopped with downloads still in flight; what was fetched "
                              "is stored, runs recorded as aborted")
        outcome["failure"].raiseException()
    return outcome.get("result")  # type: ignore[return-value]
