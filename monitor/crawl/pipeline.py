"""Scrapy item pipeline that writes crawled notices into the store, one run row per crawl.

Registered by the monitor at run time (`ITEM_PIPELINES`), so `crawler/` never imports `monitor/`.
"""

from __future__ import annotations

import asyncio
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from crawler.items import DetailFailure, ListingItem, NoticeItem
from monitor.shutdown import SHUTDOWN
from monitor.store.db import Store
from monitor.store.writer import StoreWriter

# After SIGINT/SIGTERM a crawl closes once its downloads in flight end — a page dripping for a
# minute would keep its run open. This long after the signal, what was written is kept and the run
# closed as aborted without waiting (before monitor.crawl.runner.STOP_GRACE cancels the crawl).
ABANDON_AFTER = 6.0


def run_status(finish_reason: str, stats: dict[str, Any]) -> str:
    """completed | failed (the source is broken: first list page missing, empty, blocked) | aborted."""
    if finish_reason != "finished":
        return "aborted"
    return "failed" if stats.get("source/broken") else "completed"


class StorePipeline:
    """Items go to a StoreWriter (monitor/store/writer.py: its own thread, group commits); the
    run row is finalised once everything queued is written."""

    def __init__(self, crawler: Crawler, db_path: str, removal_after: int):
        self.crawler = crawler
        self.db_path = db_path
        self.removal_after = removal_after
        self.store: Store | None = None
        self.writer: StoreWriter | None = None
        self._unregister: Any = lambda: None  # SHUTDOWN.on_stop's, once the spider is open
        self.run_id: int | None = None
        self._loop: asyncio.AbstractEventLoop | None = None  # the reactor's, set by open_spider
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StorePipeline:
        db_path = crawler.settings.get("NOTICEWATCH_DB")
        if not db_path:
            raise NotConfigured("NOTICEWATCH_DB is not set")
        removal_after = crawler.settings.getint("NOTICEWATCH_REMOVAL_AFTER", 3)
        return cls(crawler, db_path, removal_after)

    def open_spider(self) -> None:
        spider = self.crawler.spider
        source = spider.source
        # Used by the writer thread, then here again once it has stopped: never at the same time.
        self.store = Store(self.db_path, removal_after=self.removal_after, check_same_thread=False)
        self.store.sync_source(source.id, source.name or source.id, source.kind, source.start_urls)
        # We hold the source's crawl lock (monitor.store.locks): a run left `running` was killed.
        self.store.abort_orphaned_runs(source.id)
        self.run_id = self.store.start_run(source.id, mode="full" if spider.full else "incremental")
        self._loop = asyncio.get_event_loop()
        self.writer = StoreWriter(self.store, self.run_id, self._count)
        # Notices and list pages go to the writer straight from the spider (crawler/sink.py).
        spider.item_sink = self.writer
        self._unregister = SHUTDOWN.on_stop(lambda: asyncio.get_running_loop().call_later(ABANDON_AFTER, self.abandon))

    def abandon(self) -> None:
        """The crawl did not close in time after a stop signal: write what is queued, close the run
        as aborted (spider_closed, if it comes later, finds nothing left to do)."""
        if self.store is None or self.run_id is None or self.writer is None:
            return
        writer, self.writer = self.writer, None
        self.crawler.spider.item_sink = None  # what comes later is dropped, as process_item drops it
        writer.close()
        stats = self.crawler.stats.get_stats()
        pages = int(stats.get("source/pages/list", 0)) + int(stats.get("source/pages/detail", 0))
        problems = [*getattr(self.crawler.spider, "problems", []),
                    f"aborted: stopped by a signal with downloads still in flight ({ABANDON_AFTER:g} s later)"]
        self.store.finish_run(self.run_id, "aborted", pages, problems, stats,
                              requests=int(stats.get("downloader/request_count", 0)))
        self.store.close()
        self.store = None

    def _count(self, outcomes: list[str]) -> None:
        """From the writer thread, once per transaction: counted on the reactor's thread, where the
        stats are read (a progress display iterating them must not see a key appear mid-iteration).
        Queued before the writer's close() returns, so all are counted before the run row is written."""
        assert self._loop is not None
        if outcomes:
            self._loop.call_soon_threadsafe(self._count_here, outcomes)

    def _count_here(self, outcomes: list[str]) -> None:
        for outcome in outcomes:
            self.crawler.stats.inc_value(f"noticewatch/{outcome}")

    def process_item(self, item: Any) -> Any:
        if self.writer is not None and isinstance(item, NoticeItem | DetailFailure | ListingItem):
            self.writer.put(item)
        return item

    async def spider_closed(self, spider: Any, reason: str) -> None:
        """Write what is queued, then finalise the run row (completed / aborted / failed)."""
        self._unregister()
        if self.store is None or self.run_id is None or self.writer is None:
            return
        writer, self.writer = self.writer, None
        spider.item_sink = None
        await asyncio.to_thread(writer.close)  # other sources' crawls go on meanwhile
        stats = self.crawler.stats.get_stats()
        pages = int(stats.get("source/pages/list", 0)) + int(stats.get("source/pages/detail", 0))
        problems = list(getattr(spider, "problems", []))
        if writer.errors:
            problems.append(f"store: {writer.errors} item(s) could not be written (see the log)")
        status = run_status(reason, stats)
        requests = int(stats.get("downloader/request_count", 0))
        self.store.finish_run(self.run_id, status, pages, problems, stats, requests=requests)
        self.store.close()
        self.store = None
