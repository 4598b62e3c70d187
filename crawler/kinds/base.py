"""The shared base of every CMS kind: source handling, detail pages, problems, stats.

A kind subclass only says how to walk its list pages and recognise detail links (alltheplaces-style:
a platform base plus a few lines). Data-quality problems are counted in crawl stats, not raised.
"""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator, Iterable
from datetime import UTC, datetime
from typing import Any, ClassVar
from urllib.parse import urljoin, urlsplit

import scrapy
from scrapy import signals
from scrapy.exceptions import DownloadCancelledError, IgnoreRequest
from scrapy.http import Response
from scrapy.spidermiddlewares.httperror import HttpError

from crawler import detail_page, parsepool, resolver
from crawler.challenge import detect_challenge
from crawler.items import DetailFailure, ListingItem, NoticeItem
from crawler.links import canonical_entries, is_web_url, redact
from crawler.parser import ParseError
from crawler.parser.decoding import decode
from crawler.politeness import DomainPaused, registered_domain
from crawler.relevance import RELEVANCE_KEYS, Relevance, RelevanceError, check_relevance, relevance_of
from crawler.sink import ItemSink
from crawler.source import SourceSpec

# Fields whose absence on a rectification notice is a data-quality problem worth counting.
EXPECTED_FIELDS = ("title", "published_at", "inspection_team", "inspected_org", "disclosure_end")
# Detail pages' redirects are followed by the spider itself (follow_detail_redirect), not by
# Scrapy: a redirect loop or an off-site redirect must become a failure of the notice, and Scrapy
# drops such requests silently (dupe filter, offsite filter). At most this many hops, as re-checks.
REDIRECT_STATUSES = (301, 302, 303, 307, 308)
MAX_DETAIL_REDIRECTS = 3
# Option keys every kind has; the config loader reads these itself. The rest of a kind's
# `option_keys` are its own, checked by its `check_options` and carried in `SourceSpec.options`.
BASE_OPTION_KEYS = ("max_pages", "encoding", "selectors")


class OptionError(ValueError):
    """A kind option with a bad value: `key` names it, the message says what is valid."""

    def __init__(self, key: str, message: str):
        super().__init__(message)
        self.key = key


class KindSpider(scrapy.Spider):
    """Base spider; `source` is a SourceSpec (from config) or built from -a arguments."""

    # Keys a source of this kind may set in config.yaml besides the common ones.
    option_keys: ClassVar[tuple[str, ...]] = (*BASE_OPTION_KEYS, *RELEVANCE_KEYS)
    selector_keys: ClassVar[tuple[str, ...]] = ("body",)
    # What `keywords` is when a source sets none (founder_epaper filters by default; columns don't).
    default_keywords: ClassVar[tuple[str, ...]] = ()

    @classmethod
    def kind_option_keys(cls) -> tuple[str, ...]:
        """The option keys this kind reads from `SourceSpec.options`."""
        return tuple(k for k in cls.option_keys if k not in BASE_OPTION_KEYS)

    @classmethod
    def check_options(cls, options: dict[str, Any]) -> dict[str, Any]:
        """Validate and normalise this kind's options (from YAML, or strings from `-a key=value`);
        raise OptionError(key, message) for a bad one. Kinds with options override this."""
        return dict(options)

    @classmethod
    def checked_options(cls, options: dict[str, Any]) -> dict[str, Any]:
        """Every option of a source checked: `keywords`/`match` (crawler/relevance.py, the same for
        every kind), then the kind's own (`check_options`). Raises OptionError."""
        try:
            relevance = check_relevance({k: v for k, v in options.items() if k in RELEVANCE_KEYS})
        except RelevanceError as exc:
            raise OptionError(exc.key, str(exc)) from None
        rest = cls.check_options({k: v for k, v in options.items() if k not in RELEVANCE_KEYS})
        return {**rest, **relevance}

    def __init__(
        self,
        source: SourceSpec | None = None,
        start_url: str | None = None,
        source_id: str | None = None,
        max_pages: int | str | None = None,
        known: dict[str, tuple[str | None, str | None]] | None = None,
        full: bool | str = True,
        listed: dict[str, tuple[str | None, str | None]] | None = None,
        **kwargs: Any,
    ):
        # `scrapy crawl KIND -a sid=…`: this kind's own options may come as -a arguments.
        raw_options = {k: kwargs.pop(k) for k in self.kind_option_keys() if k in kwargs}
        super().__init__(**kwargs)
        # Incremental crawls: {detail url: (list title, list date)} as last seen on the lists.
        # A known link with the same title/date is not re-fetched, and a list page made only of
        # such links ends the paging. `full` re-fetches everything.
        self.known = dict(known or {})
        self.full = full if isinstance(full, bool) else full.lower() in ("1", "true", "yes")
        # Entries earlier crawls saw on the lists but did not fetch (not relevant then), as
        # {url: (list title, list date)}: those that match the keywords now are fetched at start.
        self.listed = dict(listed or {})
        self.rematched: set[str] = set()
        if source is None:
            if not start_url:
                raise ValueError(f"spider {self.name}: pass a source, or -a start_url=URL")
            source = SourceSpec(
                id=source_id or self.name,
                kind=self.name,
                start_urls=tuple(u for u in start_url.split(",") if u),
                max_pages=int(max_pages or 5),
                options=self.checked_options(raw_options),
            )
        self.source = source
        # Scrapy's OffsiteMiddleware drops requests (redirects included) outside the source's
        # registered domains: a crawl never wanders to third-party hosts.
        self.allowed_domains = sorted({registered_domain(url) for url in source.start_urls})
        self.problems: list[str] = []
        self.details_requested = 0
        self.parse_in_worker = False  # from_crawler reads NOTICEWATCH_PARSE_WORKER
        # Set by the store's pipeline: items go there, not through Scrapy (crawler/sink.py).
        self.item_sink: ItemSink | None = None

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> KindSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider.list_redirect_dropped, signal=signals.request_scheduled)
        crawler.signals.connect(spider.callback_raised, signal=signals.spider_error)
        spider.parse_in_worker = crawler.settings.getbool("NOTICEWATCH_PARSE_WORKER", True)
        parsepool.start(spider.parse_in_worker)
        _answer_ip_literals_in_place()
        return spider

    def is_known_unchanged(self, url: str, title: str | None, date: str | None) -> bool:
        return not self.full and self.known.get(url) == (title, date)

    @property
    def relevance(self) -> Relevance:
        """The source's `keywords`/`match` filter (crawler/relevance.py)."""
        return relevance_of(self.source.options, self.default_keywords)

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for request in self.start_list_requests():
            yield request
        for request in self.rematched_requests():
            yield request

    def rematched_requests(self) -> Iterable[scrapy.Request]:
        """Detail requests for entries seen earlier without fetching that the keywords match now
        (the keywords were widened): they may be far down the lists an incremental crawl reads."""
        relevance = self.relevance
        for url, (title, date) in sorted(self.listed.items()):
            if url in self.known or not relevance.wants_entry(title):
                continue
            request = self.detail_request(url, title, date)
            if request is not None:
                self.rematched.add(url)
                self.count("items/rematched")
                yield request

    def start_list_requests(self) -> Iterable[scrapy.Request]:
        raise NotImplementedError

    # -- problems and stats -------------------------------------------------------------------
    def report_problem(self, kind: str, url: str, message: str) -> None:
        """Record a problem for the run: a stat per kind and one line of text."""
        self.crawler.stats.inc_value(f"source/problems/{kind}")
        line = redact(f"{kind}: {message} ({url})")  # no start URL's password in status or digests
        if line not in self.problems:
            self.problems.append(line)
        self.logger.warning("source %s: %s", self.source.id, line)

    def mark_broken(self, url: str, kind: str, message: str) -> None:
        """The source itself is broken (first list page missing/empty): never read as mass removal."""
        self.crawler.stats.set_value("source/broken", 1)
        self.report_problem(kind, url, message)

    def callback_raised(self, failure: Any, response: Any = None, spider: Any = None) -> None:
        """Signal handler (spider_error): a callback, an errback or `start()` raised (a bad URL in
        an API answer, a bad option). What that page held is unknown, so the run must not end
        "completed": the source is broken for this run, and the exception is its problem."""
        if spider is not None and spider is not self:
            return
        url = getattr(response, "url", None) or getattr(getattr(failure, "request", None), "url", None)
        message = " ".join(f"{failure.type.__name__}: {failure.getErrorMessage()}".split())[:300]
        self.mark_broken(url or ",".join(self.source.start_urls), "spider_error", message)

    def count(self, key: str, n: int = 1) -> None:
        self.crawler.stats.inc_value(f"source/{key}", n)

    # -- list pages ---------------------------------------------------------------------------
    def list_request(self, url: str, page: int, seen: set[str]) -> scrapy.Request:
        """A GET of list page `page`; a 404 reaches parse_list (past the last page is often 404)."""
        return scrapy.Request(
            url,
            callback=self.parse_list,
            errback=self.list_failed,
            cb_kwargs={"page": page, "seen": seen},
            meta={"handle_httpstatus_list": [404], "page": page},
        )

    def parse_list(self, response: Response, page: int, seen: set[str]) -> Iterable[Any]:
        raise NotImplementedError

    def list_page_usable(
        self, response: Response, page: int, missing: str = "the first list page is 404"
    ) -> bool:
        """False (and the problem reported) for a 404 or a challenge; counts the list page otherwise."""
        if response.status == 404:
            if page == 1:
                self.mark_broken(response.url, "list_missing", missing)
            return False
        if self.list_unreadable(response, page):
            return False
        if self.list_blocked(response, page):
            return False
        self.count("pages/list")
        return True

    def list_unreadable(self, response: Response, page: int) -> bool:
        """A list page that is no text at all (binary data served as HTML): "not_html", not an
        empty list (the source is broken when it is the first page)."""
        other_format = detail_page.non_html_format(response.body, _header(response, b"Content-Type"), by_type=False)
        if other_format:  # a PDF, an image … by its first bytes, whatever Scrapy made of it
            reason = other_format
        elif isinstance(response, scrapy.http.TextResponse):
            try:
                decode(response.body, _header(response, b"Content-Type"), self.source.encoding)
                return False
            except ParseError as exc:
                reason = str(exc)
        else:
            reason = "response is not a text/HTML page"
        if page == 1:
            self.mark_broken(response.url, "not_html", reason)
        else:
            self.report_problem("not_html", response.url, reason)
        return True

    def follow_entries(
        self,
        list_url: str,
        page: int,
        entries: list[tuple[str, str | None, str | None]],
        seen: set[str],
        empty: str = "no detail links on the first list page",
        extras: dict[str, dict[str, Any]] | None = None,
    ) -> tuple[list[Any], list[tuple[str, str | None, str | None]]]:
        """What one list page's (url, title, date) entries lead to: the ListingItem and the detail
        requests to yield, and the entries new to this crawl — fetched, or seen for the first time
        without fetching — so paging goes on while there are any. Known, unchanged entries are
        skipped unless `full`; with `keywords`, entries whose title matches none are recorded in
        the ListingItem's `skipped` and not fetched (crawler/relevance.py). `extras` are notice
        fields the list knew, by URL. No entries on the first page means the source is broken,
        not that everything went away."""
        # One canonical URL per notice, http(s) only (crawler/links.py).
        entries, dropped = canonical_entries(entries, self.is_detail_url)
        if dropped:
            self.count("items/duplicate_or_not_web", dropped)
        if not entries:
            if page == 1:
                self.mark_broken(list_url, "list_empty", empty)
            return [], []
        fresh = [entry for entry in entries if entry[0] not in seen]
        seen.update(url for url, _, _ in fresh)
        relevance = self.relevance
        wanted = [entry for entry in fresh if relevance.wants_entry(entry[1])]
        passed = [entry for entry in fresh if not relevance.wants_entry(entry[1])]
        to_fetch = [
            entry
            for entry in wanted
            if not self.is_known_unchanged(*entry) and entry[0] not in self.rematched
        ]
        self.count("items/known_unchanged", len(wanted) - len(to_fetch))
        self.count("items/not_relevant", len(passed))
        new_passed = [e for e in passed if self.full or self.listed.get(e[0]) != (e[1], e[2])]
        extras = extras or {}
        requests = [self.detail_request(url, title, date, extras.get(url)) for url, title, date in to_fetch]
        outputs = self.handed_over(ListingItem(self.source.id, list_url, page, tuple(wanted), tuple(passed)))
        return outputs + [r for r in requests if r is not None], to_fetch + new_passed

    def handed_over(self, item: NoticeItem | ListingItem) -> list[Any]:
        """[] once `item` is given to the item sink; else [item], to yield to Scrapy."""
        if self.item_sink is None:
            return [item]
        self.item_sink.put(item)
        return []

    def list_blocked(self, response: Response, page: int) -> bool:
        """A list page (or list API answer) that is a challenge/ban page: report it as blocked
        (the source is broken when it is the first page) and say so; never read it as a list."""
        text = response.text if isinstance(response, scrapy.http.TextResponse) else ""
        reason = detect_challenge(response.status, response.url, text, redirected_from(response.request))
        if not reason:
            return False
        if page == 1:
            self.mark_broken(response.url, "blocked", reason)
        else:
            self.report_problem("blocked", response.url, reason)
        return True

    def list_redirect_dropped(self, request: scrapy.Request, spider: Any = None) -> None:
        """Signal handler (request scheduled): Scrapy silently drops a list page's
        redirect that goes off-site (OffsiteMiddleware) or back to a page already requested (the
        dupe filter) — no errback. On the first list page that would leave a run "completed"
        that read nothing: the source is broken. (Later pages: the paging just ends.)"""
        chain = request.meta.get("redirect_urls")
        offsite = not (request.dont_filter or request.meta.get("allow_offsite") or self.on_site(request.url))
        if not chain and offsite:
            self.offsite_dropped(request)
            return
        if not chain or request.errback != self.list_failed or request.meta.get("page", 1) != 1:
            return
        if not self.on_site(request.url):
            self.mark_broken(chain[0], "list_failed", f"redirected off-site to {request.url}")
        elif request.url in chain:
            self.mark_broken(chain[0], "list_failed", f"redirect loop ({' -> '.join([*chain, request.url])})")

    def offsite_dropped(self, request: scrapy.Request) -> None:
        """A list request (a data proxy, an API) or a detail link on another registered domain:
        OffsiteMiddleware drops it without an errback. Dropped silently, the run would be
        "completed" having read nothing."""
        where = f"{request.url} is outside {', '.join(self.allowed_domains)}: not requested"
        if request.errback == self.list_failed:
            if request.meta.get("page", 1) == 1:
                self.mark_broken(request.url, "list_failed", where)
            else:
                self.report_problem("list_page_failed", request.url, where)
        elif request.errback == self.detail_failed:
            self.report_problem("detail_failed", request.url, where)

    def list_failed(self, failure: Any) -> None:
        """Errback of list requests: blocked, or a failed list page (the source is broken on page 1)."""
        request = failure.request
        response = getattr(failure.value, "response", None)
        text = response.text if isinstance(response, scrapy.http.TextResponse) else ""
        reason = (detect_challenge(response.status, response.url, text, redirected_from(response.request))
                  if response is not None else None)
        what = reason or (f"HTTP {response.status}" if response is not None else failure.getErrorMessage())
        kind = "blocked" if reason else "list_failed"
        if request.meta.get("page", 1) == 1:
            self.mark_broken(request.url, kind, what)
        else:
            self.report_problem("list_page_failed" if not reason else kind, request.url, what)

    # -- detail pages -------------------------------------------------------------------------
    def detail_budget_left(self) -> bool:
        """False once NOTICEWATCH_MAX_DETAILS detail pages were requested (`noticewatch record`)."""
        limit = self.crawler.settings.getint("NOTICEWATCH_MAX_DETAILS", 0) if hasattr(self, "crawler") else 0
        return not limit or self.details_requested < limit

    def detail_request(
        self,
        url: str,
        list_title: str | None,
        list_date: str | None,
        extra: dict[str, Any] | None = None,
    ) -> scrapy.Request | None:
        """The request for one detail page; `extra` sets notice fields the list knew (gkmlpt's
        索引号/文号). None when the crawl's detail budget is spent."""
        if not is_web_url(url):  # ftp:, mailto:, a malformed URL: no page to fetch
            self.count("items/not_web")
            return None
        if not self.detail_budget_left():
            self.count("items/over_budget")
            return None
        self.details_requested += 1
        return scrapy.Request(
            url,
            callback=self.parse_detail,
            errback=self.detail_failed,
            cb_kwargs={"list_title": list_title, "list_date": list_date, "extra": extra or {}},
            meta={"dont_redirect": True, "handle_httpstatus_list": list(REDIRECT_STATUSES)},
        )

    def on_site(self, url: str) -> bool:
        """Whether `url` is on one of the source's registered domains (what OffsiteMiddleware allows)."""
        host = (urlsplit(url).hostname or "").lower()
        return any(host == d or host.endswith("." + d) for d in self.allowed_domains)

    def follow_detail_redirect(
        self, response: Response, cb_kwargs: dict[str, Any]
    ) -> Iterable[scrapy.Request | DetailFailure]:
        """A detail page answered a redirect: follow it on-site (parse_detail then judges the page
        it leads to), or fail the notice — off-site ("redirected", counted like a redirect home;
        never requested), in a loop or too long a chain ("error": a broken server, not a removal)."""
        request = response.request
        url = original_url(request)
        chain = [*request.meta.get("redirect_urls", []), response.url]
        location = response.headers.get(b"Location")
        target = urljoin(response.url, location.decode("latin-1").strip()) if location else None
        if target is None:
            failure: tuple[str, str] = (f"HTTP {response.status} without a Location", "error")
        elif not self.on_site(target):
            self.crawler.stats.inc_value("offsite/filtered")
            failure = (f"redirected off-site to {target}", "redirected")
        elif target in chain or len(chain) > MAX_DETAIL_REDIRECTS:
            failure = (f"redirect loop ({' -> '.join([*chain, target])})", "error")
        else:
            meta = {**request.meta, "redirect_urls": chain}
            yield request.replace(url=target, meta=meta, dont_filter=True, cb_kwargs=cb_kwargs)
            return
        self.report_problem("detail_failed", url, failure[0])
        yield self.failure(url, *failure)

    def keep_notice(self, notice: Any) -> bool:
        """Whether a parsed page is stored: with `match: text`, only one whose title or text
        holds a keyword."""
        return self.relevance.keeps_page(notice.title, notice.body_text)

    async def parse_detail(
        self,
        response: Response,
        list_title: str | None = None,
        list_date: str | None = None,
        extra: dict[str, Any] | None = None,
    ) -> AsyncIterator[NoticeItem | DetailFailure | scrapy.Request]:
        url = original_url(response.request)
        if response.status in REDIRECT_STATUSES:
            kwargs = {"list_title": list_title, "list_date": list_date, "extra": extra or {}}
            for request_or_failure in self.follow_detail_redirect(response, kwargs):
                yield request_or_failure
            return
        self.count("pages/detail")
        # Judged and parsed in a worker process (crawler/parsepool.py): the next download starts
        # meanwhile, and the reactor thread neither decodes nor parses.
        result = await parsepool.read_detail(
            self.parse_in_worker,
            response.status,
            response.url,
            response.body,
            _header(response, b"Content-Type"),
            self.source.encoding,
            self.redirected_away(response),
            url=response.url,
            redirected_from=redirected_from(response.request),
            source_id=self.source.id,
            body_selectors=tuple(s for s in (self.source.selector("body"),) if s),
        )
        if isinstance(result, detail_page.Failed):
            kwargs = {"list_title": list_title, "list_date": list_date, "extra": extra or {}}
            fallback = self.detail_fallback(url, result, kwargs)
            yield fallback if fallback is not None else self.report_failure(url, result)
            return
        notice = result
        if notice.title is None and list_title:
            notice = notice.replace(title=list_title)
        if notice.published_at is None and list_date:
            notice = notice.replace(published_at=list_date)
        if extra:
            notice = notice.replace(**extra)
        if not self.keep_notice(notice):
            self.count("items/filtered_out")
            return
        self.count_missing_fields(notice)
        item = NoticeItem(
            source_id=self.source.id,
            url=response.url,
            notice=notice,
            fetched_at=datetime.now(UTC).isoformat(timespec="seconds"),
            raw_sha256=hashlib.sha256(response.body).hexdigest(),
            http_status=response.status,
            list_title=list_title,
            list_date=list_date,
            etag=_header(response, b"ETag"),
            last_modified=_header(response, b"Last-Modified"),
        )
        for output in self.handed_over(item):
            yield output

    def detail_fallback(
        self, url: str, verdict: detail_page.Failed, kwargs: dict[str, Any]
    ) -> scrapy.Request | None:
        """Another way to read a notice whose page failed (nfcms: its post JSON when the page is
        blocked), as a request whose callback yields what parse_detail would; None: none, the
        failure stands. `kwargs` are parse_detail's (list_title, list_date, extra)."""
        return None

    def redirected_away(self, response: Response) -> bool:
        """A detail URL that redirects to a page that is not a detail page (home, list) is gone."""
        redirects = response.request.meta.get("redirect_urls")
        return bool(redirects) and not self.is_detail_url(response.url)

    def is_detail_url(self, url: str) -> bool:
        raise NotImplementedError

    def failure(self, url: str, reason: str, kind: str) -> DetailFailure:
        return DetailFailure(
            self.source.id, url, reason, kind, datetime.now(UTC).isoformat(timespec="seconds")
        )

    def judge(self, response: Response) -> detail_page.Verdict:
        """What the page a detail request ended on is (crawler/detail_page.py): text to parse, or a
        failure. Its bytes are decoded by `decode`, honouring a source's `encoding` — not Scrapy's
        `response.text`, which decodes with the declared charset whatever the bytes are (GBK
        labelled UTF-8 becomes mojibake, binary becomes garbage text)."""
        return detail_page.judge(
            response.status,
            response.url,
            response.body,
            _header(response, b"Content-Type"),
            self.source.encoding,
            redirected_away=self.redirected_away(response),
            redirected_from=redirected_from(response.request),
        )

    def report_failure(self, url: str, verdict: detail_page.Failed) -> DetailFailure:
        """Report a failed detail page as a problem of the run; the DetailFailure for the store."""
        self.report_problem(verdict.problem, url, verdict.reason)
        return self.failure(url, verdict.reason, verdict.kind)

    def count_missing_fields(self, notice: Any) -> None:
        """Data-quality stats: doc types, expected fields a notice lacks, parser warnings by field."""
        self.count(f"doc_type/{notice.doc_type}")
        for warning in notice.warnings:
            self.count(f"field/{warning.split(':', 1)[0].strip()}/warning")
        if notice.doc_type != "rectification_notice":
            return
        for name in EXPECTED_FIELDS:
            if getattr(notice, name) in (None, "", ()):
                self.count(f"field/{name}/missing")

    def detail_failed(self, failure: Any) -> Iterable[DetailFailure]:
        """Errback: report the problem and yield a DetailFailure for the store to count.

        Always about the URL the list linked (a redirect's target is not the notice's URL)."""
        request = failure.request
        url = original_url(request)
        # HttpError (a 4xx/5xx answer) is an IgnoreRequest too: it is a failure of the page.
        if failure.check(IgnoreRequest) and not failure.check(HttpError):
            if failure.check(DomainPaused):  # already reported once, as "paused"
                self.count("requests/ignored")
                return
            # Else a redirect that went wrong, or a page refused (robots.txt, too big once inflated).
            reason, kind = redirect_trouble(failure, request) or (failure.getErrorMessage(), "error")
            self.report_problem("detail_failed", url, reason)
            yield self.failure(url, reason, kind)
            return
        response = getattr(failure.value, "response", None)
        if response is None:
            reason = download_error(failure)
            self.report_problem("detail_failed", url, reason)
            yield self.failure(url, reason, "error")
            return
        verdict = self.judge(response)
        if isinstance(verdict, detail_page.Failed):
            fallback = self.detail_fallback(url, verdict, dict(request.cb_kwargs))
            yield fallback if fallback is not None else self.report_failure(url, verdict)


def _answer_ip_literals_in_place() -> None:
    """crawler/resolver.py, on the running reactor (none installed yet: nothing to do)."""
    from scrapy.utils.reactor import is_reactor_installed

    if is_reactor_installed():
        from twisted.internet import reactor

        resolver.install(reactor)


def original_url(request: scrapy.Request) -> str:
    """The URL a request was first made for, before any redirect."""
    return (request.meta.get("redirect_urls") or [request.url])[0]


def redirected_from(request: scrapy.Request) -> str | None:
    """The URL first requested when redirects led to this request, else None."""
    chain = request.meta.get("redirect_urls")
    return chain[0] if chain else None


def redirect_trouble(failure: Any, request: scrapy.Request) -> tuple[str, str] | None:
    """(reason, failure kind) when Scrapy dropped a request because of where it was redirected:
    off-site (the page now points away from the portal: "redirected", as a redirect home is) or
    round in a loop (a broken server: "error", not evidence of removal). None for other drops."""
    message = failure.getErrorMessage()
    if request.meta.get("redirect_urls") and message.startswith("Filtered offsite request"):
        return f"redirected off-site to {request.url}", "redirected"
    if message == "max redirections reached":
        return f"redirect loop ({len(request.meta.get('redirect_urls', [])) + 1} redirects)", "error"
    return None


def download_error(failure: Any) -> str:
    """One line for a download that produced no response (timeout, reset, size limit…)."""
    if failure.check(
        DownloadCancelledError
    ):  # DOWNLOAD_MAXSIZE: "… larger than download max size (N) in request <…>"
        message = (
            failure.getErrorMessage().split(" in request ", 1)[0] or "larger than the download size limit"
        )
        return f"download cancelled: {message}"
    message = failure.getErrorMessage() or failure.type.__name__
    return f"{failure.type.__name__}: {message}" if failure.type.__name__ not in message else message


def _header(response: Response, name: bytes) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None
