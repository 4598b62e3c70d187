"""robots.txt read as RFC 9309 says (https://www.rfc-editor.org/rfc/rfc9309#section-2.3.1).

Scrapy's RobotsTxtMiddleware parses whatever answer it gets — a 503 error page reads as "allow
everything" — and a robots.txt it cannot fetch (an error, bigger than DOWNLOAD_MAXSIZE) as no rules
at all. The RFC: a 4xx ("unavailable") allows everything; a 5xx or no answer ("unreachable") means
complete disallow; at least the first 500 KiB must be parsed. So here: 2xx → the rules in the first
500 KiB (the download stops there); 4xx but 429 → allow; 429, 5xx, no answer → disallow, and every
request to that host is refused with a line saying why.
"""

from __future__ import annotations

from typing import Any

from scrapy import signals
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.exceptions import IgnoreRequest, StopDownload
from scrapy.http import Request, Response
from scrapy.http.request import NO_CALLBACK
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from scrapy.utils.misc import build_from_crawler
from twisted.internet.defer import Deferred

PARSE_LIMIT = 500 * 1024  # RFC 9309 2.5: "MUST be able to parse at least 500 kibibytes"
# A compressed robots.txt may not inflate beyond this (HttpCompressionMiddleware reads the same
# `download_maxsize`); an uncompressed one is read up to PARSE_LIMIT whatever its length.
COMPRESSED_LIMIT = 4 * 1024 * 1024
DISALLOW_ALL = b"User-agent: *\nDisallow: /\n"
_META = "noticewatch_robots"


def robots_rules(status: int, body: bytes) -> tuple[bytes, str | None]:
    """(the robots.txt text to obey, why everything is disallowed or None) for an answer."""
    if 200 <= status < 300:
        if len(body) > PARSE_LIMIT:
            body = body[:PARSE_LIMIT]
            body = body[: body.rfind(b"\n") + 1] or body  # a rule cut in half is no rule
        return body, None
    if 400 <= status < 500 and status != 429:
        return b"", None
    return DISALLOW_ALL, f"robots.txt answered HTTP {status}"


class Rfc9309Robots(RobotsTxtMiddleware):
    """RobotsTxtMiddleware with RFC 9309's status rules and size limit (module docstring)."""

    def __init__(self, crawler: Any):
        super().__init__(crawler)
        self._unreachable: dict[str, str] = {}  # netloc → why everything there is disallowed
        # The size-limit handlers listen only while a robots.txt is downloading: every response's
        # headers and every chunk of every body would go through them otherwise (bench/crawl_bench.py).
        self._robots_downloading = 0

    def process_request_2(self, rp: Any, request: Request) -> None:
        why = self._unreachable.get(urlparse_cached(request).netloc.rsplit("@", 1)[-1])
        if why is not None:
            self._stats.inc_value("robotstxt/forbidden")
            raise IgnoreRequest(f"{why}: crawling disallowed (RFC 9309)")
        super().process_request_2(rp, request)

    async def robot_parser(self, request: Request) -> Any:
        url = urlparse_cached(request)
        netloc = url.netloc.rsplit("@", 1)[-1]  # a start URL's credentials are no part of the host
        if netloc not in self._parsers:
            self._parsers[netloc] = Deferred()
            robots = Request(
                f"{url.scheme}://{netloc}/robots.txt",
                priority=self.DOWNLOAD_PRIORITY,
                # Asked unencoded; the size limit is set when the headers say how it comes (_headers).
                headers={"Accept-Encoding": "identity"},
                meta={"dont_obey_robotstxt": True, "download_maxsize": COMPRESSED_LIMIT, _META: 0},
                callback=NO_CALLBACK,
            )
            self._listen(+1)
            try:
                response = await self.crawler.engine.download_async(robots)
            except Exception as exc:  # noqa: BLE001 - any failure to fetch is "unreachable"
                self._settle(netloc, DISALLOW_ALL, f"robots.txt unreachable ({type(exc).__name__}: {exc})")
            else:
                self._parsed(response, netloc)
            finally:
                self._listen(-1)
            self._stats.inc_value("robotstxt/request_count")
        parser = self._parsers[netloc]
        if isinstance(parser, Deferred):
            return await maybe_deferred_to_future(parser)
        return parser

    def _listen(self, change: int) -> None:
        """One robots.txt download more (+1) or fewer (-1); the handlers are connected while any is."""
        before, self._robots_downloading = self._robots_downloading, self._robots_downloading + change
        handlers = ((self._headers, signals.headers_received), (self._received, signals.bytes_received))
        for handler, signal in handlers:
            if before == 0 and self._robots_downloading > 0:
                self.crawler.signals.connect(handler, signal=signal)
            elif before > 0 and self._robots_downloading == 0:
                self.crawler.signals.disconnect(handler, signal=signal)

    def _parsed(self, response: Response, netloc: str) -> None:
        self._stats.inc_value("robotstxt/response_count")
        self._stats.inc_value(f"robotstxt/response_status_count/{response.status}")
        self._settle(netloc, *robots_rules(response.status, response.body))

    def _settle(self, netloc: str, body: bytes, why: str | None) -> None:
        if why is not None:
            self._unreachable[netloc] = " ".join(why.split())[:200]
        parser = build_from_crawler(self._parserimpl, self.crawler, body)
        waiting = self._parsers[netloc]
        self._parsers[netloc] = parser
        if isinstance(waiting, Deferred):
            waiting.callback(parser)

    def _headers(self, headers: Any, body_length: int, request: Request, spider: Any = None) -> None:
        """Signal handler (headers_received), before Scrapy compares the length with the limit: an
        uncompressed robots.txt has no wire limit (its download stops at PARSE_LIMIT, and RFC 9309
        wants its first 500 KiB read, however long it is); a compressed one keeps COMPRESSED_LIMIT."""
        if _META in request.meta and not headers.get(b"Content-Encoding"):
            request.meta["download_maxsize"] = 0

    def _received(self, data: bytes, request: Request, spider: Any = None) -> None:
        """Signal handler (bytes_received): stop a robots.txt download at PARSE_LIMIT."""
        if _META not in request.meta:
            return
        request.meta[_META] += len(data)
        if request.meta[_META] > PARSE_LIMIT:
            raise StopDownload(fail=False)
