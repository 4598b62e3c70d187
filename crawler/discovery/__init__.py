"""Discovery: from a portal's home page (or any page) to ready config entries for its columns
that carry inspection notices (`noticewatch discover`).

- crawler/discovery/page.py — one page read: CMS family, list entries, navigation links;
- crawler/discovery/spider.py — the bounded, polite crawl over the site's navigation;
- crawler/discovery/proposal.py — columns scored by their list titles, proposed best first with why.

`discover(start_url, settings)` runs the crawl on Scrapy's AsyncCrawlerRunner (the reactor must be
running: monitor.crawl.runner.run_reactor) with the crawler's settings, and returns a Discovery.
"""

from __future__ import annotations

from typing import Any

from crawler.discovery.proposal import ColumnFinding, Discovery, Proposal, propose, render_entry

__all__ = ["ColumnFinding", "Discovery", "Proposal", "discover", "propose", "render_entry"]


class DiscoveryError(RuntimeError):
    """The start page could not be read at all."""


async def discover(start_url: str, settings: Any, max_requests: int = 30, max_pages: int = 3) -> Discovery:
    """Crawl from `start_url` (at most `max_requests` requests) and propose config entries."""
    from scrapy.crawler import AsyncCrawlerRunner

    from crawler.discovery.spider import DiscoverySpider

    runner = AsyncCrawlerRunner(settings)
    crawler = runner.create_crawler(DiscoverySpider)
    await runner.crawl(crawler, start_url=start_url, max_requests=max_requests, max_pages=max_pages)
    spider = crawler.spider
    result = spider.discovery()
    if not spider.findings and spider.problems:
        raise DiscoveryError("; ".join(spider.problems))
    return result
