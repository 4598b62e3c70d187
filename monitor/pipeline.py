"""Scrapy item pipeline that writes crawled notices into the store, one run row per crawl.

Registered by the monitor at run time (`ITEM_PIPELINES`), so `crawler/` never imports `monitor/`.
"""

from __future__ import annotations

from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from crawler.items import NoticeItem
from monitor.store import Store


class StorePipeline:
    def __init__(self, crawler: Crawler, db_path: str):
        self.crawler = crawler
        self.db_path = db_path
        self.store: Store | None = None
        self.run_id: int | None = None
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StorePipeline:
        db_path = crawler.settings.get("NOTICEWATCH_DB")
        if not db_path:
            raise NotConfigured("NOTICEWATCH_DB is not set")
        return cls(crawler, db_path)

    def open_spider(self) -> None:
        spider = self.crawler.spider
        source = spider.source
        self.store = Store(self.db_path)
        self.store.sync_source(source.id, source.name or source.id, source.kind, source.start_urls)
        self.run_id = self.store.start_run(source.id)

    def process_item(self, item: Any) -> Any:
        if isinstance(item, NoticeItem) and self.store is not None:
            outcome = self.store.save_item(item, self.run_id)
            self.crawler.stats.inc_value(f"noticewatch/{outcome}")
        return item

    def spider_closed(self, spider: Any, reason: str) -> None:
        """Finalise the run row (completed / aborted / failed) and close the database."""
        if self.store is None or self.run_id is None:
            return
        stats = self.crawler.stats.get_stats()
        pages = int(stats.get("source/pages/list", 0)) + int(stats.get("source/pages/detail", 0))
        problems = list(getattr(spider, "problems", []))
        if reason == "finished":
            status = "failed" if pages == 0 and problems else "completed"
        else:
            status = "aborted"
        self.store.finish_run(self.run_id, status, pages, problems, stats)
        self.store.close()
        self.store = None
