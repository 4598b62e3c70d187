"""Politeness per registered domain: one download slot per firewall, loopback exempt, and a pause
after consecutive failures (docs/portals.md "Anti-bot": the Zhuhai subdomains share one firewall that bans
an IP for hours after bursts or retry storms). Also: an idempotent POST that got no answer at all
(a reused keep-alive connection the server had just closed) is sent once more, as Twisted does for
a GET, instead of counting as a failure."""

from __future__ import annotations

import logging

from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from twisted.internet.defer import CancelledError
from twisted.web.client import RequestTransmissionFailed, ResponseNeverReceived

from crawler.domains import is_loopback_url, registered_domain

logger = logging.getLogger(__name__)

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


class DomainPaused(IgnoreRequest):
    """A request not sent because its domain is paused (FailurePause): reported once, as "paused"."""


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
            raise DomainPaused(f"{domain} paused after {self.limit} consecutive failures")
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


def never_answered(exception: BaseException) -> bool:
    """True when a request got not a byte of answer and was not cancelled (no timeout): Twisted's
    own test for resending a request on a new connection. Scrapy wraps Twisted's exception in
    DownloadFailedError, so the cause is looked at too."""
    for exc in (exception, exception.__cause__):
        if isinstance(exc, ResponseNeverReceived | RequestTransmissionFailed):
            return not any(reason.check(CancelledError) for reason in exc.reasons)
    return False


class ResendUnanswered:
    """Downloader middleware: send a request marked `meta["idempotent"]` (a POST that only reads,
    e.g. Hanweb's data proxy query) once more when it got no answer at all.

    Scrapy keeps connections alive and reuses them; a server may close one just as it is reused
    (the replica closes each connection after its answer, real servers after their keep-alive
    timeout). The request written on it is never read and fails with "Connection was closed
    cleanly". Twisted resends such a GET by itself, once, on a new connection; a POST it does not,
    so without this the POST failed — for good with `retries: 0`, else spending a retry and counting
    towards FailurePause. Placed nearer the download than FailurePause and RetryMiddleware: the
    resend is neither a failure nor a retry, as for a GET. Once per request.
    """

    def __init__(self, crawler: Crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ResendUnanswered:
        return cls(crawler)

    def process_exception(
        self, request: Request, exception: Exception, spider: Spider | None = None
    ) -> Request | None:
        if not request.meta.get("idempotent") or request.meta.get("resent_unanswered"):
            return None
        if not never_answered(exception):
            return None
        self.crawler.stats.inc_value("source/requests/resent_unanswered")
        logger.info("Resending %s: no answer (%s)", request, exception)
        return request.replace(dont_filter=True, meta={**request.meta, "resent_unanswered": True})
