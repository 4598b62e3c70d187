"""Scrapy item pipeline for workers: a crawl's items go to the outcome stream, not to a store.

Registered by the worker (`ITEM_PIPELINES`) in place of monitor.crawl.pipeline.StorePipeline; the
coordinator applies the stream to SQLite with the same Store calls the StoreWriter makes. The
Redis client lives in `RELAYS` under the job's id (Scrapy settings are deep-copied: no clients in them).
"""

from __future__ import annotations

import asyncio
from typing import Any

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem, NotConfigured

from crawler.items import DetailFailure, ListingItem, NoticeItem
from monitor.cluster.protocol import REDIS_DOWN, STREAM, Outcome, encode

# job id -> (redis client, worker id), set by the worker around each crawl
RELAYS: dict[str, tuple[Any, str]] = {}


class RelayPipeline:
    def __init__(self, crawler: Crawler, job_id: str):
        self.crawler = crawler
        self.job_id = job_id
        self.redis, self.worker = RELAYS[job_id]
        self.sent = 0
        self.lost: BaseException | None = None  # Redis failed under the crawl: it is closed, the job retried

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RelayPipeline:
        job_id = crawler.settings.get("NOTICEWATCH_CLUSTER_JOB")
        if not job_id or job_id not in RELAYS:
            raise NotConfigured("NOTICEWATCH_CLUSTER_JOB is not set")
        return cls(crawler, job_id)

    async def process_item(self, item: Any) -> Any:
        if not isinstance(item, NoticeItem | DetailFailure | ListingItem):
            return item
        if self.lost is not None:
            raise DropItem("redis unreachable: the job will be crawled again")
        source_id = self.crawler.spider.source.id
        try:
            await self.redis.xadd(STREAM, encode(Outcome(self.job_id, source_id, "item", item, self.worker)))
        except REDIS_DOWN as exc:
            # Items can no longer reach the coordinator: stop the crawl now; the worker retries the job.
            self.lost = exc
            asyncio.ensure_future(self.crawler.engine.close_spider_async(reason="redis_unreachable"))
            raise DropItem(f"redis unreachable ({exc})") from None
        self.sent += 1
        return item
