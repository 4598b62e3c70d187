"""Where a spider may hand its items straight to, instead of yielding them to Scrapy.

A yielded item goes through Scrapy's spider middlewares, the scraper's item slot, every item
pipeline and the item_scraped signal before it reaches the store's queue: per detail page, about as
much reactor-thread CPU as deciding what to fetch next (bench/crawl_bench.py profile). Items need
none of it, so the store's pipeline (monitor/crawl/pipeline.py) sets `spider.item_sink` to its
writer, and the spider puts NoticeItems and ListingItems there directly (crawler/ defines the
interface; monitor/ implements it: crawler/ imports nothing from monitor/). Without a sink — a dry
run, `scrapy crawl`, the cluster's relay pipeline — items are yielded as before.
"""

from __future__ import annotations

from typing import Protocol

from crawler.items import DetailFailure, ListingItem, NoticeItem


class ItemSink(Protocol):
    def put(self, item: NoticeItem | DetailFailure | ListingItem) -> None:
        """Take the item (called on the reactor thread; must not block it)."""
