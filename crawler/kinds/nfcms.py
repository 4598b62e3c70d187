"""`nfcms`: the Guangdong 集约化 platform (NFCMS).

Lists are `{column}index.html`, `index_2.html`, … (404 past the end); details are
`{column}content/post_{id}.html`. List themes differ per site (`div.wendangListC li` + `<strong>`,
`ul.list li` + `<span>`, …), so detail links are found by URL pattern, not by one theme's CSS.

The column JSON (`/postmeta/i/{column_id}.json`, crawler/postmeta.py) is the preferred list: one
request instead of `max_pages`. Its id is the option `column_id`, or read from the first list page's
NFCMS page variables (`NFCMS_CAT_ID`); without either, or when the JSON does not answer, the HTML
lists are read. The JSON's newest `max_pages × JSON_ENTRIES_PER_PAGE` entries are considered, so
`max_pages` reaches as far back as it does on HTML lists. A detail page answered by a challenge is
read from its post JSON (`/postmeta/p/…/{id}.json`) instead, when the site serves it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import urljoin, urlsplit

import scrapy
from lxml import etree
from scrapy.http import HtmlResponse, Response

from crawler import detail_page, postmeta
from crawler.kinds.base import BASE_OPTION_KEYS, KindSpider, OptionError
from crawler.relevance import RELEVANCE_KEYS

DETAIL_PATH = re.compile(r"/content/(?:m?post)_\d+\.html?$")
LIST_PAGE = re.compile(r"index(?:_(\d+))?\.html?$")
DATE = re.compile(r"(20\d\d)[-/.年](\d{1,2})[-/.月](\d{1,2})")
# An NFCMS HTML list page's usual length: how many column-JSON entries one of `max_pages` stands for.
JSON_ENTRIES_PER_PAGE = 20


def list_page_url(start_url: str, page: int) -> str:
    """Page N of an NFCMS list: page 1 is index.html, page 2 is index_2.html."""
    base = start_url if not start_url.endswith("/") else start_url + "index.html"
    if not LIST_PAGE.search(base):
        base = base.rstrip("/") + "/index.html"
    name = "index.html" if page == 1 else f"index_{page}.html"
    return LIST_PAGE.sub(name, base)


def column_of(list_url: str) -> str:
    path = urlsplit(list_url).path
    return path[: path.rfind("/") + 1]


class NfcmsSpider(KindSpider):
    """Numbered list pages + detail links found by URL pattern. Kinds with the same shape (trs)
    subclass it and change `detail_path`, `page_url` and `last_page`."""

    name = "nfcms"
    option_keys = (*BASE_OPTION_KEYS, *RELEVANCE_KEYS, "column_id")
    selector_keys = ("body", "list")
    detail_path = DETAIL_PATH
    # Whether the kind has NFCMS's JSON (column list, post content); trs has the shape, not the JSON.
    has_postmeta = True

    @classmethod
    def check_options(cls, options: dict[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if "column_id" in options:
            value = options["column_id"]
            if isinstance(value, bool) or not re.fullmatch(r"\d+", str(value).strip()):
                raise OptionError("column_id", f"expected a number (the NFCMS column id), got {value!r}")
            out["column_id"] = str(value).strip()
        return out

    @staticmethod
    def page_url(start_url: str, page: int) -> str:
        return list_page_url(start_url, page)

    def last_page(self, response: Response) -> int | None:
        """The list's last page number when the page states it (None: page until 404 / nothing new)."""
        return None

    def start_list_requests(self) -> Iterable[scrapy.Request]:
        column_id = self.source.option("column_id") if self.has_postmeta else None
        for start_url in self.source.start_urls:
            list_url = self.page_url(start_url, 1)
            if column_id:
                yield self.column_json_request(list_url, column_id, set(), fallback=None)
            else:
                yield self.list_request(list_url, page=1, seen=set())

    # -- the column JSON ---------------------------------------------------------------------
    def column_json_request(
        self, list_url: str, column_id: str, seen: set[str], fallback: Response | None
    ) -> scrapy.Request:
        """The column JSON; `fallback` is the first HTML list page when it was read already."""
        kwargs = {"list_url": list_url, "seen": seen, "fallback": fallback}
        return scrapy.Request(
            postmeta.column_json_url(list_url, column_id),
            callback=self.parse_column_json,
            errback=self.column_json_failed,
            cb_kwargs=kwargs,
            meta={"handle_httpstatus_list": [404], "page": 1, "nfcms_json": kwargs},
            headers={"Accept": "application/json, text/plain, */*"},
        )

    def parse_column_json(
        self, response: Response, list_url: str, seen: set[str], fallback: Response | None
    ) -> Iterable[Any]:
        try:
            if response.status != 200:
                raise postmeta.PostmetaError(f"HTTP {response.status}")
            listing = postmeta.read_column(response.body, response.url)
        except postmeta.PostmetaError as exc:
            yield from self.html_instead(response.url, str(exc), list_url, seen, fallback)
            return
        self.count("pages/list")
        self.count("pages/column_json")
        limit = self.source.max_pages * JSON_ENTRIES_PER_PAGE
        entries = [(e.url, e.title, e.date) for e in listing.entries if self.on_site(e.url)][:limit]
        outputs, _ = self.follow_entries(
            response.url, 1, entries, seen, empty="no entries in the column JSON"
        )
        yield from outputs

    def column_json_failed(self, failure: Any) -> Iterable[Any]:
        kwargs = failure.request.meta["nfcms_json"]
        yield from self.html_instead(failure.request.url, failure.getErrorMessage(), **kwargs)

    def html_instead(
        self, json_url: str, reason: str, list_url: str, seen: set[str], fallback: Response | None
    ) -> Iterable[Any]:
        """The column JSON did not answer: the HTML lists, from the page already read if any."""
        self.count("column_json/unavailable")
        if self.source.option("column_id"):  # configured: worth a line in the run's problems
            self.report_problem("column_json", json_url, f"{reason}; read the HTML lists instead")
        if fallback is not None:
            yield from self.read_list_page(fallback, 1, seen, json_tried=True)
        else:
            yield self.list_request(list_url, page=1, seen=seen, json_tried=True)

    def list_request(self, url: str, page: int, seen: set[str], json_tried: bool = False) -> scrapy.Request:
        request = super().list_request(url, page, seen)
        request.cb_kwargs["json_tried"] = json_tried
        return request

    def is_detail_url(self, url: str) -> bool:
        return bool(self.detail_path.search(urlsplit(url).path))

    def parse_list(
        self, response: Response, page: int, seen: set[str], json_tried: bool = False
    ) -> Iterable[Any]:
        if not self.list_page_usable(response, page):
            return
        column_id = postmeta.column_id_in(response.text) if page == 1 and self.has_postmeta else None
        if column_id and not json_tried:
            self.count("column_json/from_page")
            yield self.column_json_request(response.url, column_id, seen, fallback=response)
            return
        yield from self.read_list_page(response, page, seen, json_tried)

    def read_list_page(
        self, response: Response, page: int, seen: set[str], json_tried: bool
    ) -> Iterable[Any]:
        """The entries of a usable HTML list page, and the request for the next page."""
        outputs, to_fetch = self.follow_entries(response.url, page, list(self.list_items(response)), seen)
        yield from outputs
        # Some sites answer any index_N.html with page 1: nothing new means we are past the end.
        # Incremental: a page made only of known, unchanged links means the rest is known too.
        last = self.last_page(response)
        if to_fetch and page < self.source.max_pages and (last is None or page < last):
            yield self.list_request(self.page_url(response.url, page + 1), page + 1, seen, json_tried)

    # -- a blocked detail page, read from its post JSON ----------------------------------------
    def detail_fallback(
        self, url: str, verdict: detail_page.Failed, kwargs: dict[str, Any]
    ) -> scrapy.Request | None:
        json_url = postmeta.post_json_url(url) if self.has_postmeta and verdict.kind == "blocked" else None
        if json_url is None:
            return None
        self.count("post_json/requested")
        return scrapy.Request(
            json_url,
            callback=self.parse_post_json,
            errback=self.post_json_failed,
            cb_kwargs={"url": url, "verdict": verdict, "kwargs": kwargs},
            meta={"handle_httpstatus_list": [404], "nfcms_post": (url, verdict)},
            headers={"Accept": "application/json, text/plain, */*"},
            dont_filter=True,
        )

    async def parse_post_json(
        self, response: Response, url: str, verdict: detail_page.Failed, kwargs: dict[str, Any]
    ) -> Any:
        try:
            if response.status != 200:
                raise postmeta.PostmetaError(f"HTTP {response.status}")
            post = postmeta.read_post(response.body)
        except postmeta.PostmetaError:
            yield self.report_failure(url, verdict)
            return
        self.count("post_json/read")
        page = postmeta.post_page(post, kwargs.get("list_title"))
        # Parsed as the detail page would be, under the detail page's URL.
        standin = HtmlResponse(
            url=url,
            body=page.encode("utf-8"),
            encoding="utf-8",
            request=scrapy.Request(url),
            headers={"Content-Type": "text/html; charset=utf-8"},
        )
        async for item in self.parse_detail(standin, **kwargs):
            yield item

    def post_json_failed(self, failure: Any) -> Iterable[Any]:
        url, verdict = failure.request.meta["nfcms_post"]
        yield self.report_failure(url, verdict)

    def list_items(self, response: Response) -> Iterable[tuple[str, str | None, str | None]]:
        """(url, list title, list date) for each detail link, in page order, same host only.
        On lxml's tree directly: a parsel Selector per link and three per date lookup were most of
        a list page's time on the reactor thread (bench/crawl_bench.py)."""
        scopes = [response.selector.root]
        if self.source.selector("list"):
            scopes = [s.root for s in response.css(self.source.selector("list"))] or scopes
        host = urlsplit(response.url).netloc
        column = column_of(response.url)
        in_column: list[tuple[str, str | None, str | None]] = []
        elsewhere: list[tuple[str, str | None, str | None]] = []
        done: set[str] = set()
        for scope in scopes:
            if not isinstance(scope, etree._Element):
                continue  # a selector that matched text or an attribute, not an element
            for anchor in scope.xpath("descendant-or-self::a[@href]"):
                url = urljoin(response.url, anchor.get("href").strip())
                parts = urlsplit(url)
                if parts.netloc != host or not self.detail_path.search(parts.path) or url in done:
                    continue
                done.add(url)
                title = anchor.get("title") or " ".join(anchor.itertext()).strip()
                row = (url, title or None, self.item_date(anchor))
                (in_column if parts.path.startswith(column) else elsewhere).append(row)
        # Sidebars link other columns' posts; use them only when the column itself links none.
        return in_column or elsewhere

    @staticmethod
    def item_date(anchor: etree._Element) -> str | None:
        """The date printed next to a list link (in its <li>/<tr>/parent), as YYYY-MM-DD."""
        for container in (
            next(anchor.iterancestors("li"), None),
            next(anchor.iterancestors("tr"), None),
            anchor.getparent(),
        ):
            if container is None:
                continue
            match = DATE.search(" ".join(container.itertext()))
            if match:
                y, m, d = match.groups()
                return f"{y}-{int(m):02d}-{int(d):02d}"
        return None
