"""The baseline for the crawl benchmark: a bare Scrapy spider that downloads given URLs and nothing else.

    .venv/bin/python bench/bare_spider.py URLS_FILE

Same Scrapy settings as noticewatch's crawls (crawler.settings: robots.txt, one request at a time,
the loopback slot without delay; download_delay 0 as in the benchmark's config), but no parsing,
no items, no pipeline: the floor a crawler of these pages cannot go below. Prints its Scrapy stats
(requests, responses, elapsed seconds) as one JSON line.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    import scrapy
    from scrapy.crawler import CrawlerProcess
    from scrapy.settings import Settings

    urls = [u for u in Path(sys.argv[1]).read_text(encoding="utf-8").split() if u]

    class BareSpider(scrapy.Spider):
        name = "bare"

        async def start(self):
            for url in urls:
                # 404 past the last list page is a page the real crawl downloads too.
                yield scrapy.Request(url, callback=self.parse, dont_filter=True,
                                     meta={"handle_httpstatus_list": [404]})

        def parse(self, response):  # noqa: ARG002 - downloading is the whole job
            return None

    settings = Settings()
    settings.setmodule("crawler.settings", priority="project")
    for name, value in {"DOWNLOAD_DELAY": 0, "AUTOTHROTTLE_START_DELAY": 0, "LOG_LEVEL": "WARNING",
                        "ITEM_PIPELINES": {}}.items():
        settings.set(name, value, priority="cmdline")
    process = CrawlerProcess(settings, install_root_handler=False)
    crawler = process.create_crawler(BareSpider)
    process.crawl(crawler)
    process.start()
    stats = crawler.stats.get_stats()
    print(json.dumps({"requests": stats.get("downloader/request_count", 0),
                      "responses": stats.get("downloader/response_count", 0),
                      "elapsed": stats.get("elapsed_time_seconds", 0.0)}))


if __name__ == "__main__":
    main()
