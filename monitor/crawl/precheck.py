"""The no-change check before a crawl: one conditional request says whether a source's list is as
its last clean crawl left it, before any Scrapy crawler is built (issue 16: milliseconds of CPU
and one request per unchanged source).

For an incremental crawl into a database, a source whose last crawl completed with no problem has
its list's validators stored (monitor/store/checks.py): the URL the crawl read its list from
(page 1, or the NFCMS column JSON `/postmeta/i/{id}.json` when the crawl read that), its ETag,
Last-Modified and the sha256 of its decoded body, and a fingerprint of the source's crawl spec.
The check sends one GET with If-None-Match / If-Modified-Since: a 304, or a 200 whose body hashes
the same, is "not modified" — the crawl would have read that one page, found every entry known and
stopped. Anything else (another status, another body, an error, a timeout, a challenge, robots.txt
forbidding or unreachable, a changed config) → the normal crawl, which judges and reports it.

Why the whole body and not "the part that matters": the entries a kind reads from a page are the
spider's business (crawler/kinds/); re-reading them here would be a second parser that can drift
from it. A page with per-request chrome (a counter, a token) therefore always gets the crawl:
costly, never wrong.

robots.txt (RFC 9309) is cached per origin (scheme://host:port) in the store: 2xx rules and a 4xx
("unavailable": everything allowed) for at most 24 h (2.4), less when Cache-Control's max-age says
so, not at all under no-store / no-cache. A 5xx, 429 or no answer means complete disallow
(crawler/robots.py) and is not cached: the check is not made, and the crawl that follows fetches
robots.txt again and reports the refusal. The robots.txt a crawl fetched is cached too, so the
check after a crawl needs one request only.

Kinds checked: `nfcms`, `trs` and `html_list` with one start URL — their first list page (or the
column JSON) is where every entry of an incremental crawl comes from. gkmlpt reads a page before
its API, hanweb POSTs, an e-paper changes its URL daily: they always get the crawl.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import httpx

from crawler import robots as crawl_robots
from crawler.domains import is_loopback_url, registered_domain
from crawler.kinds import spider_for
from crawler.source import SourceSpec
from monitor.crawl.download import ACCEPT_ENCODING, read_body, read_robots
from monitor.store.checks import ListValidators

PROBE_KINDS = frozenset({"nfcms", "trs", "html_list"})
ROBOTS_MAX_AGE = 24 * 3600.0  # RFC 9309 2.4: a cached robots.txt is used for at most 24 hours
JSON_ACCEPT = "application/json, text/plain, */*"  # what the nfcms spider asks the column JSON with
COLUMN_JSON_PATH = "/postmeta/i/"
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Checked:
    """What a check found: `unchanged` (skip the crawl) or not, and the requests it sent."""

    unchanged: bool
    requests: int
    why: str  # "304" | "same body" | why the crawl is needed
    pages: int = 0  # list pages read (a 200 with the same body is one; a 304 none)
    robots_cached: bool = False


def spec_fingerprint(spec: SourceSpec) -> str:
    """What decides what a crawl of `spec` reads and records (the name goes into `sources`): a
    changed one is never skipped. Politeness overrides (delay, retries) are left out."""
    data = {"kind": spec.kind, "name": spec.name, "start_urls": list(spec.start_urls), "max_pages": spec.max_pages,
            "encoding": spec.encoding, "selectors": spec.selectors, "options": spec.options}
    text = json.dumps(data, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def origin_of(url: str) -> str:
    """scheme://host:port, the port explicit: one robots.txt per origin (RFC 9309 2.3)."""
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return f"{parts.scheme}://{(parts.hostname or '').lower()}:{port}"


def first_list_url(spec: SourceSpec) -> str | None:
    """The HTML list page a crawl of `spec` starts from, for the kinds checked (else None)."""
    if spec.kind not in PROBE_KINDS or len(spec.start_urls) != 1:
        return None
    page_url = getattr(spider_for(spec.kind), "page_url", None)
    return page_url(spec.start_urls[0], 1) if page_url else spec.start_urls[0]


def robots_max_age(cache_control: str | None) -> float:
    """Seconds a robots.txt may be reused: max-age (≤ 24 h), 0 under no-store / no-cache."""
    directives = [d.strip().lower() for d in (cache_control or "").split(",")]
    if "no-store" in directives or "no-cache" in directives:
        return 0.0
    for directive in directives:
        name, _, value = directive.partition("=")
        if name.strip() == "max-age" and value.strip().strip('"').isdigit():
            return min(float(value.strip().strip('"')), ROBOTS_MAX_AGE)
    return ROBOTS_MAX_AGE


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds")


class CrawlCapture:
    """Signal handler (response_received) on a crawl: the validators of each first-page list
    response (GET, not redirected, 200) and the robots.txt answers, for `Prechecks.after_crawl`."""

    def __init__(self) -> None:
        self.lists: dict[str, tuple[str | None, str | None, str]] = {}  # url → (etag, last-modified, sha256)
        self.robots: dict[str, tuple[int, bytes, str | None]] = {}  # origin → (status, body, Cache-Control)

    def response_received(self, response: Any, request: Any, spider: Any = None) -> None:
        meta = request.meta
        if meta.get("dont_obey_robotstxt") and urlsplit(request.url).path == "/robots.txt":
            self.robots[origin_of(request.url)] = (response.status, response.body, _header(response, b"Cache-Control"))
        elif (meta.get("page") == 1 and request.method == "GET" and response.status == 200
              and not meta.get("redirect_urls")):
            self.lists[request.url] = (_header(response, b"ETag"), _header(response, b"Last-Modified"),
                                       hashlib.sha256(response.body).hexdigest())


def _header(response: Any, name: bytes) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None


# Stats of a completed run that still mean the next crawl would do something: pages fetched and
# not kept (`match: text`), entries over the detail budget, requests a paused domain dropped.
UNFINISHED_STATS = ("source/items/filtered_out", "source/items/over_budget", "source/requests/ignored",
                    "source/broken")


class Prechecks:
    """One per `crawl_sources` call (or daemon): the store connection, one httpx client (made on
    the first request), robots.txt rules parsed this session. `now` is injectable (tests)."""

    def __init__(self, store: Any, settings: Any, now: Callable[[], datetime] = lambda: datetime.now(UTC)):
        self.store = store
        self.now = now
        self.user_agent = settings.get("ROBOTSTXT_USER_AGENT") or settings.get("USER_AGENT")
        self.timeout = settings.getfloat("DOWNLOAD_TIMEOUT", 30.0)
        self.max_bytes = settings.getint("DOWNLOAD_MAXSIZE", 10 * 1024 * 1024)
        self.delay = settings.getfloat("DOWNLOAD_DELAY", 8.0)
        self.headers = {k: v for k, v in (settings.getdict("DEFAULT_REQUEST_HEADERS") or {}).items()}
        self.headers.update({"User-Agent": self.user_agent, "Accept-Encoding": ACCEPT_ENCODING})
        self._client: httpx.AsyncClient | None = None
        self._rules: dict[str, tuple[Any, str]] = {}  # origin → (Protego parser, expires_at)
        self._last: dict[str, float] = {}  # registered domain → monotonic time of our last request

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()
        self.store.close()

    # -- the check ------------------------------------------------------------------------------
    async def check(self, spec: SourceSpec) -> Checked | None:
        """Whether `spec`'s list is unchanged since its last clean crawl; None: nothing to check
        against (no validators, another config), no request sent. A check that cannot be made
        (a bug, a store error) is logged and the source crawled: it is no reason not to crawl."""
        try:
            return await self._check(spec)
        except Exception:  # noqa: BLE001 - the crawl that follows is the fallback, and reports
            log.warning("source %s: the no-change check failed; crawling", spec.id, exc_info=True)
            return None

    async def _check(self, spec: SourceSpec) -> Checked | None:
        stored = self.store.list_validators(spec.id)
        if stored is None or stored.spec_fingerprint != spec_fingerprint(spec):
            return None
        parser, sent, cached = await self._robots(stored.probe_url, spec)
        if parser is None or not parser.can_fetch(stored.probe_url, self.user_agent):
            return Checked(False, sent, "robots.txt does not allow the check", robots_cached=cached)
        try:
            status, headers, digest = await self._probe(stored, spec)
        except (httpx.HTTPError, TimeoutError, OSError) as exc:
            return Checked(False, sent + 1, f"check failed: {type(exc).__name__}", robots_cached=cached)
        if status == 304:
            return Checked(True, sent + 1, "304", robots_cached=cached)
        if status == 200 and digest == stored.body_sha256:
            etag, modified = headers.get("etag"), headers.get("last-modified")
            if (etag, modified) != (stored.etag, stored.last_modified):  # same content, new validators
                self.store.save_list_validators(replace(stored, etag=etag, last_modified=modified), None)
            return Checked(True, sent + 1, "same body", pages=1, robots_cached=cached)
        return Checked(False, sent + 1, f"HTTP {status}" if status != 200 else "changed", robots_cached=cached)

    async def _probe(self, stored: ListValidators, spec: SourceSpec) -> tuple[int, httpx.Headers, str | None]:
        headers = dict(self.headers)
        if COLUMN_JSON_PATH in urlsplit(stored.probe_url).path:
            headers["Accept"] = JSON_ACCEPT
        if stored.etag:
            headers["If-None-Match"] = stored.etag
        if stored.last_modified:
            headers["If-Modified-Since"] = stored.last_modified
        await self._polite(stored.probe_url, spec)
        async with asyncio.timeout(self.timeout):  # the whole request, as Scrapy's DOWNLOAD_TIMEOUT
            async with self.client.stream("GET", stored.probe_url, headers=headers) as response:
                if response.status_code != 200:
                    return response.status_code, response.headers, None
                body = await read_body(response, self.max_bytes)
        return 200, response.headers, hashlib.sha256(body).hexdigest()

    @property
    def client(self) -> httpx.AsyncClient:
        if self._client is None:  # made on first use: a check answered from the cache needs none
            self._client = httpx.AsyncClient(timeout=self.timeout, follow_redirects=False)
        return self._client

    async def _polite(self, url: str, spec: SourceSpec) -> None:
        """The crawl's delay between requests to one registered domain (loopback exempt). The
        domain's sources run one at a time (monitor/crawl/slots.py), so no lock is needed."""
        domain = registered_domain(url)
        if not is_loopback_url(url) and domain in self._last:
            delay = spec.download_delay if spec.download_delay is not None else self.delay
            wait = self._last[domain] + delay - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
        self._last[domain] = time.monotonic()

    async def before_crawl(self, checked: Checked | None, spec: SourceSpec) -> None:
        """After a check that sent requests, the crawl's first request waits the delay too."""
        if checked is not None and checked.requests and spec.start_urls:
            await self._polite(spec.start_urls[0], spec)

    # -- robots.txt -------------------------------------------------------------------------------
    async def _robots(self, url: str, spec: SourceSpec) -> tuple[Any, int, bool]:
        """(parser or None when robots.txt disallows everything, requests sent, from the cache)."""
        from protego import Protego

        origin, now = origin_of(url), _iso(self.now())
        known = self._rules.get(origin)
        if known is not None and known[1] > now:
            return known[0], 0, True
        cached = self.store.cached_robots(origin, now)
        if cached is not None:
            parser = Protego.parse(cached.rules)
            self._rules[origin] = (parser, cached.expires_at)
            return parser, 0, True
        await self._polite(url, spec)
        try:
            async with asyncio.timeout(self.timeout), self.client.stream(
                "GET", origin_url(url) + "/robots.txt", headers=self.headers, follow_redirects=True
            ) as response:
                body = await read_robots(response)  # the first 500 KiB, as the crawl and re-checks read it
                sent = len(response.history) + 1
        except (httpx.HTTPError, TimeoutError, OSError):
            return None, 1, False  # unreachable: complete disallow, not cached
        parser = self.remember_robots(origin, response.status_code, body, response.headers.get("cache-control"))
        return parser, sent, False

    def remember_robots(self, origin: str, status: int, body: bytes, cache_control: str | None) -> Any:
        """The parser for a robots.txt answer (None: everything disallowed), cached when allowed."""
        from protego import Protego

        rules, why = crawl_robots.robots_rules(status, body)
        if why is not None:
            return None
        text = rules.decode("utf-8", "replace")
        parser = Protego.parse(text)
        age = robots_max_age(cache_control)
        if age > 0:
            fetched = self.now()
            expires = _iso(fetched + timedelta(seconds=age))
            self.store.save_robots(origin, status, text, _iso(fetched), expires)
            self._rules[origin] = (parser, expires)
        return parser

    # -- after a crawl ----------------------------------------------------------------------------
    def after_crawl(self, spec: SourceSpec, stats: dict[str, Any], capture: CrawlCapture, run_id: int | None) -> None:
        """Cache the robots.txt the crawl read; keep the validators of its list if the run was
        clean, else forget them (a failed detail page must be retried by the next crawl)."""
        for origin, (status, body, cache_control) in capture.robots.items():
            if origin not in self._rules or self._rules[origin][1] <= _iso(self.now()):
                self.remember_robots(origin, status, body, cache_control)
        validators = self._validators(spec, stats, capture)
        if validators is not None and self.store.run_was_clean(run_id):
            self.store.save_list_validators(validators, run_id)
        elif self.store.list_validators(spec.id) is not None:  # a read, not a write, when none are kept
            self.store.forget_list_validators(spec.id)

    def _validators(self, spec: SourceSpec, stats: dict[str, Any], capture: CrawlCapture) -> ListValidators | None:
        if any(stats.get(key) for key in UNFINISHED_STATS):
            return None
        probe = first_list_url(spec)
        if probe is not None and stats.get("source/pages/column_json"):
            # The list came from the column JSON (the nfcms spider found its id): that is the probe.
            json_urls = [url for url in capture.lists if COLUMN_JSON_PATH in urlsplit(url).path]
            probe = json_urls[0] if len(json_urls) == 1 else None
        if probe is None or probe not in capture.lists:
            return None
        etag, modified, digest = capture.lists[probe]
        return ListValidators(spec.id, spec_fingerprint(spec), probe, etag, modified, digest)


def origin_url(url: str) -> str:
    """scheme://netloc of `url`, without credentials (as the crawler asks robots.txt)."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc.rsplit('@', 1)[-1]}"
