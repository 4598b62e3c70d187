"""Politeness per registered domain: one download slot per firewall, loopback exempt, and a pause
after consecutive failures (DESIGN.md "Anti-bot": the Zhuhai subdomains share one firewall that bans
an IP for hours after bursts or retry storms)."""

from __future__ import annotations

from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response

from crawler.domains import is_loopback_url, registered_domain

LOOPBACK_SLOT = "loopback"  # configured in settings.DOWNLOAD_SLOTS
# Statuses that mean "the server is unhappy with us" rather than "this page is gone".
UNHAPPY_STATUSES = frozenset({403, 412, 429, 500, 502, 503, 504, 521, 522, 524})


def keep_public_suffix_list_offline() -> None:
    """Scrapy's cookies middleware builds `TLDExtract(include_psl_private_domains=True)` at import,
    which downloads the public-suffix list from publicsuffix.org on the first Set-Cookie (e.g. a
    JS-cookie challenge) — traffic to a third party that a monitor must not send, and a failure
    offline. Point it at tldextract's bundled list instead."""
    import tldextract
    from scrapy.downloadermiddlewares import cookies

    cookies._split_domain = tldextract.TLDExtract(
        suffix_list_urls=(), cache_dir=None, include_psl_private_domains=True
    )


class DomainSlots:
    """Downloader middleware: one download slot per registered domain; loopback in its own slot.

    With CONCURRENT_REQUESTS_PER_DOMAIN = 1 and DOWNLOAD_DELAY this makes "one request at a time,
    `delay` apart" hold per firewall, not per host. AutoThrottle never lowers a slot below
    DOWNLOAD_DELAY, so loopback requests also carry `autothrottle_dont_adjust_delay`.
    """

    def process_request(self, request: Request, spider: Spider | None = None) -> None:
        if is_loopback_url(request.url):
            request.meta.setdefault("download_slot", LOOPBACK_SLOT)
            request.meta["autothrottle_dont_adjust_delay"] = True
        else:
            request.meta.setdefault("download_slot", registered_domain(request.url))
        return None


class FailurePause:
    """Downloader middleware: after N consecutive unhappy answers or errors from one registered
    domain, stop sending it requests for the rest of the crawl (a retry storm is what gets an IP
    banned). Counted as the `source/problems/paused` stat with one problem line on the spider.
    """

    def __init__(self, crawler: Crawler, limit: int):
        self.crawler = crawler
        self.limit = limit
        self.failures: dict[str, int] = {}
        self.paused: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> FailurePause:
        return cls(crawler, crawler.settings.getint("NOTICEWATCH_PAUSE_AFTER_FAILURES", 3))

    def process_request(self, request: Request, spider: Spider | None = None) -> None:
        domain = registered_domain(request.url)
        if domain in self.paused:
            self.crawler.stats.inc_value("source/requests/skipped_paused")
            raise IgnoreRequest(f"{domain} paused after {self.limit} consecutive failures")
        return None

    def process_response(
        self, request: Request, response: Response, spider: Spider | None = None
    ) -> Response:
        if response.status in UNHAPPY_STATUSES:
            self._failed(request, f"HTTP {response.status}")
        else:
            self.failures[registered_domain(request.url)] = 0
        return response

    def process_exception(self, request: Request, exception: Exception, spider: Spider | None = None) -> None:
        if not isinstance(exception, IgnoreRequest):
            self._failed(request, type(exception).__name__)
        return None

    def _failed(self, request: Request, what: str) -> None:
        domain = registered_domain(request.url)
        self.failures[domain] = self.failures.get(domain, 0) + 1
        if self.failures[domain] >= self.limit and domain not in self.paused:
            self.paused.add(domain)
            spider = self.crawler.spider
            message = f"{self.limit} consecutive failures (last: {what}); no more requests to {domain} in this crawl"
            if hasattr(spider, "report_problem"):
                spider.report_problem("paused", request.url, message)
