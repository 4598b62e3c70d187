"""Run spiders in-process: Scrapy's AsyncCrawlerRunner on the asyncio reactor (docs/portals.md "Shape").

Sources on the same registered domain run one after another (they share a firewall); different
domains run side by side. `run_reactor` is the one place that installs and drives the reactor.
"""

from __future__ import annotations

import asyncio
import contextlib
import weakref
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
    # "not modified": the no-change check (monitor/crawl/precheck.py) found the list as the last
    # clean crawl left it, and no crawl was run (status "completed", a run row of mode "check").
    check: str = ""


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
    checks = open_prechecks(settings)  # one store connection and one httpx client for all sources

    async def worker() -> None:
        # After a stop was asked for, no further source is started.
        while queue and not SHUTDOWN.requested:
            domain, group = queue.popleft()
            for spec in group:
                if SHUTDOWN.requested:
                    return
                async with slots.held(spec.id, domain):
                    results[spec.id] = await crawl_one(runner, spec, progress, full, checks)

    try:
        async with parsepool.held():  # one parse worker for all of them, stopped after
            await asyncio.gather(*(worker() for _ in range(min(slots.limit, len(queue)))))
    finally:
        unregister()
        if checks is not None:
            await checks.aclose()
    return [results[spec.id] for spec in specs if spec.id in results]


def open_prechecks(settings: Any) -> Any:
    """The no-change checks' session (monitor/crawl/precheck.py) for a crawl into a database;
    None for a dry run. The caller closes it (`await checks.aclose()`)."""
    from monitor.crawl.precheck import Prechecks
    from monitor.store.db import Store

    db_path = settings.get("NOTICEWATCH_DB")
    if not db_path:
        return None
    return Prechecks(Store(db_path, removal_after=settings.getint("NOTICEWATCH_REMOVAL_AFTER", 3)), settings)


# Per-source settings by override set, per base settings object: Settings.copy() deep-copies
# (~17 ms), and a fleet of sources shares a handful of override sets. Crawler.__init__ copies the
# settings it is given once anyway, so handing the same object to many crawlers is safe.
_SOURCE_SETTINGS: dict[int, tuple[Any, dict[tuple[tuple[str, object], ...], Any]]] = {}


def source_settings(base: Any, spec: SourceSpec) -> Any:
    """The crawl's settings with this source's politeness overrides (delay, retries, pause); the
    same object for every source with the same overrides (`base` itself for none). Do not modify."""
    overrides = tuple(sorted(spec.scrapy_settings().items()))
    if not overrides:
        return base
    ref, built = _SOURCE_SETTINGS.get(id(base), (None, {}))
    if ref is None or ref() is not base:  # a new base (or another object at a recycled id)
        built = {}
        _SOURCE_SETTINGS[id(base)] = (weakref.ref(base, lambda _, key=id(base): _SOURCE_SETTINGS.pop(key, None)), built)
    if overrides not in built:
        settings = base.copy()
        for name, value in overrides:
            settings.set(name, value, priority="cmdline")
        built[overrides] = settings
    return built[overrides]


async def crawl_one(
    runner: Any, spec: SourceSpec, progress: ProgressCallback | None, full: bool, checks: Any = None
) -> CrawlResult:
    """Crawl one source (under its crawl lock when storing). With `checks` (a
    monitor.crawl.precheck.Prechecks, e.g. from `open_prechecks`) an incremental crawl is first
    checked with one conditional request, and not run when its list is unchanged; the store
    connection of `checks` also serves the known listing and the validators kept after."""
    from monitor.store.locks import SourceBusy

    db_path = runner.settings.get("NOTICEWATCH_DB")
    try:
        # One crawl per source and database at a time (monitor.store.locks); what is known is read
        # under the lock, after any crawl we waited for has written.
        async with source_lock(db_path, spec.id) if db_path else contextlib.nullcontext():
            if progress:
                progress(spec.id, {})  # in flight from now (a check may end before the first poll)
            checked = None
            if checks is not None and db_path and not full:
                checked = await checks.check(spec)
                if checked is not None and checked.unchanged:
                    return _not_modified(checks, spec, checked, progress)
                await checks.before_crawl(checked, spec)
            return await _crawl(runner, spec, progress, full, checks)
    except SourceBusy as exc:
        return CrawlResult(spec.id, "skipped", 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, problems=(f"busy: {exc}",))


async def _crawl(
    runner: Any, spec: SourceSpec, progress: ProgressCallback | None, full: bool, checks: Any
) -> CrawlResult:
    from scrapy import signals
    from scrapy.crawler import Crawler

    from crawler.items import NoticeItem
    from monitor.crawl.precheck import CrawlCapture

    crawler = Crawler(spider_for(spec.kind), source_settings(runner.settings, spec))
    scraped: list[Any] = []
    db_path = runner.settings.get("NOTICEWATCH_DB")
    capture = CrawlCapture()
    if not db_path:

        def keep(item: Any, **_: Any) -> None:
            if isinstance(item, NoticeItem):
                scraped.append(item)

        crawler.signals.connect(keep, signal=signals.item_scraped, weak=False)
    elif checks is not None:
        crawler.signals.connect(capture.response_received, signal=signals.response_received)
    poller = asyncio.ensure_future(_poll_progress(crawler, spec.id, progress)) if progress else None
    try:
        known, listed = _known_listing(checks.store if checks else db_path, spec.id, full) if db_path else ({}, {})
        # Nothing known: the crawl reads everything, so it is recorded as the full crawl it is (the
        # daemon's weekly sweep counts from it instead of re-reading every new source at once).
        full = full or not db_path or not (known or listed)
        await runner.crawl(crawler, source=spec, known=known, full=full, listed=listed)
    finally:
        if poller:
            poller.cancel()
    result = _result(crawler, spec, progress, scraped, bool(db_path))
    if checks is not None and db_path:
        checks.after_crawl(spec, crawler.stats.get_stats(), capture, result.run_id)
    return result


def _not_modified(checks: Any, spec: SourceSpec, checked: Any, progress: ProgressCallback | None) -> CrawlResult:
    """The run row and result of a source whose check found its list unchanged."""
    from monitor.store.records import utcnow

    # finish_reason "finished": the run completed (readers of stats — the progress display, run
    # rows — tell a check by mode "check" and `noticewatch/check`).
    stats = {"start_time": utcnow(), "finish_reason": "finished", "noticewatch/check": checked.why,
             "downloader/request_count": checked.requests, "robotstxt/cached": int(checked.robots_cached),
             "source/pages/list": checked.pages}
    run_id = checks.store.record_check(spec.id, checked.requests, checked.pages, stats)
    if progress:
        progress(spec.id, stats)
    return CrawlResult(spec.id, "completed", checked.pages, checked.requests, 0, 0, 0, 0, 0, 0, 0, 0,
                       problems=(), run_id=run_id, check="not modified")


def _known_listing(store_or_path: Any, source_id: str, full: bool) -> tuple[dict[str, Any], dict[str, Any]]:
    """What the store knows of a source's lists: its notices' entries (none for a full crawl), and
    the entries its keywords passed over (crawler/relevance.py: fetched once the keywords match).
    `store_or_path`: the crawl's open Store, or a database path (opened for this)."""
    from monitor.store.db import Store

    if not isinstance(store_or_path, Store):
        with Store(store_or_path) as store:
            return _known_listing(store, source_id, full)
    store = store_or_path
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
