"""`nfcms`: the Guangdong 集约化 platform (NFCMS).

Lists are `{column}index.html`, `index_2.html`, … (404 past the end); details are
`{column}content/post_{id}.html`. List themes differ per site (`div.wendangListC li` + `<strong>`,
`ul.list li` + `<span>`, …), so detail links are found by URL pattern, not by one theme's CSS.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import urljoin, urlsplit

import scrapy
from lxml import etree
from scrapy.http import Response

from crawler.kinds.base import KindSpider

DETAIL_PATH = re.compile(r"/content/(?:m?post)_\d+\.html?$")
LIST_PAGE = re.compile(r"index(?:_(\d+))?\.html?$")
DATE = re.compile(r"(20\d\d)[-/.年](\d{1,2})[-/.月](\d{1,2})")


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
    selector_keys = ("body", "list")
    detail_path = DETAIL_PATH

    @staticmethod
    def page_url(start_url: str, page: int) -> str:
        return list_page_url(start_url, page)

    def last_page(self, response: Response) -> int | None:
        """The list's last page number when the page states it (None: page until 404 / nothing new)."""
        return None

    def start_list_requests(self) -> Iterable[scrapy.Request]:
        for start_url in self.source.start_urls:
            yield self.list_request(self.page_url(start_url, 1), page=1, seen=set())

    def is_detail_url(self, url: str) -> bool:
        return bool(self.detail_path.search(urlsplit(url).path))

    def parse_list(self, response: Response, page: int, seen: set[str]) -> Iterable[Any]:
        if not self.list_page_usable(response, page):
            return
        outputs, to_fetch = self.follow_entries(response.url, page, list(self.list_items(response)), seen)
        yield from outputs
        # Some sites answer any index_N.html with page 1: nothing new means we are past the end.
        # Incremental: a page made only of known, unchanged links means the rest is known too.
        last = self.last_page(response)
        if to_fetch and page < self.source.max_pages and (last is None or page < last):
            yield self.list_request(self.page_url(response.url, page + 1), page + 1, seen)

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
