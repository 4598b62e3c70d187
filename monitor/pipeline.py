"""Scrapy item pipeline that writes crawled notices into the store, one run row per crawl.

Registered by the monitor at run time (`ITEM_PIPELINES`), so `crawler/` never imports `monitor/`.
"""

from __future__ import annotations

from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from crawler.items import DetailFailure, ListingItem, NoticeItem
from monitor.store import Store


def run_status(finish_reason: str, stats: dict[str, Any]) -> str:
    """completed | failed (the source is broken: first list page missing, empty, blocked) | aborted."""
    if finish_reason != "finished":
        return "aborted"
    return "failed" if stats.get("source/broken") else "completed"


class StorePipeline:
    def __init__(self, crawler: Crawler, db_path: str, removal_after: int):
        self.crawler = crawler
        self.db_path = db_path
        self.removal_after = removal_after
        self.store: Store | None = None
        self.run_id: int | None = None
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
        self.store = Store(self.db_path, removal_after=self.removal_after)
        self.store.sync_source(source.id, source.name or source.id, source.kind, source.start_urls)
        # We hold the source's crawl lock (monitor.locks): a run left `running` was killed.
        self.store.abort_orphaned_runs(source.id)
        self.run_id = self.store.start_run(source.id, mode="full" if spider.full else "incremental")

    def process_item(self, item: Any) -> Any:
        if self.store is None:
            return item
        if isinstance(item, NoticeItem):
            outcome = self.store.save_item(item, self.run_id)
        elif isinstance(item, DetailFailure):
            outcome = self.store.record_failure(item, self.run_id)
        elif isinstance(item, ListingItem):
            self.store.record_listing(item)
            return item
        else:
            return item
        self.crawler.stats.inc_value(f"noticewatch/{outcome}")
        return item

    def spider_closed(self, spider: Any, reason: str) -> None:
        """Finalise the run row (completed / aborted / failed) and close the database."""
        if self.store is None or self.run_id is None:
            return
        stats = self.crawler.stats.get_stats()
        pages = int(stats.get("source/pages/list", 0)) + int(stats.get("source/pages/detail", 0))
        problems = list(getattr(spider, "problems", []))
        status = run_status(reason, stats)
        requests = int(stats.get("downloader/request_count", 0))
        self.store.finish_run(self.run_id, status, pages, problems, stats, requests=requests)
        self.store.close()
        self.store = None
