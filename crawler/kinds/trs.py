"""`trs`: TRS WCM sites (ccdi.gov.cn and many government portals).

Lists are `{col}index.html`, then `index_1.html` for page 2 (not `index_2.html`: TRS counts from
0), `index_2.html` for page 3 …, 404 past the end; the page count is written by a
`createPageHTML(count, current, "index", "html")` script call when the template has one. Details
are `{col}YYYYMM/tYYYYMMDD_{id}.html` (sometimes `.shtml`), linked relatively. The body is
`div.TRS_Editor`; ccdi puts the title in `h2.tit` and 来源/发布时间 in `div.daty_con em` (the parser
knows both). ccdi may answer with a JavaScript cookie page or a captcha instead: reported as blocked.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import urljoin, urlsplit

import scrapy
from scrapy.http import Response

from crawler.kinds.base import KindSpider
from crawler.kinds.nfcms import NfcmsSpider

DETAIL_PATH = re.compile(r"/\d{6}/t\d{8}_\d+\.s?html?$")
LIST_PAGE = re.compile(r"index(?:_\d+)?\.s?html?$")
PAGE_COUNT = re.compile(r"createPageHTML\(\s*['\"]?(\d+)['\"]?\s*,")


def list_page_url(start_url: str, page: int) -> str:
    """Page N of a TRS list: page 1 is index.html, page 2 index_1.html, page 3 index_2.html."""
    base = start_url if not start_url.endswith("/") else start_url + "index.html"
    if not LIST_PAGE.search(urlsplit(base).path):
        base = base.rstrip("/") + "/index.html"
    ext = base[base.rfind(".") :]
    name = f"index{ext}" if page == 1 else f"index_{page - 1}{ext}"
    return LIST_PAGE.sub(name, base)


class TrsSpider(KindSpider):
    name = "trs"
    selector_keys = ("body", "list")

    def start_list_requests(self) -> Iterable[scrapy.Request]:
        for start_url in self.source.start_urls:
            yield self.list_request(list_page_url(start_url, 1), page=1, seen=set())

    def is_detail_url(self, url: str) -> bool:
        return bool(DETAIL_PATH.search(urlsplit(url).path))

    def parse_list(self, response: Response, page: int, seen: set[str]) -> Iterable[Any]:
        if not self.list_page_usable(response, page):
            return
        outputs, to_fetch = self.follow_entries(response.url, page, self.list_items(response), seen)
        yield from outputs
        count = PAGE_COUNT.search(response.text)
        last = int(count.group(1)) if count else None
        if to_fetch and page < self.source.max_pages and (last is None or page < last):
            yield self.list_request(list_page_url(response.url, page + 1), page + 1, seen)

    def list_items(self, response: Response) -> list[tuple[str, str | None, str | None]]:
        """(url, list title, list date) for each detail link of this column, in page order."""
        scope = response
        if self.source.selector("list"):
            scope = response.css(self.source.selector("list")) or response
        host = urlsplit(response.url).netloc
        column = urlsplit(response.url).path
        column = column[: column.rfind("/") + 1]
        in_column: list[tuple[str, str | None, str | None]] = []
        elsewhere: list[tuple[str, str | None, str | None]] = []
        done: set[str] = set()
        for anchor in scope.css("a[href]"):
            url = urljoin(response.url, anchor.attrib["href"].strip())
            parts = urlsplit(url)
            if parts.netloc != host or not DETAIL_PATH.search(parts.path) or url in done:
                continue
            done.add(url)
            title = anchor.attrib.get("title") or " ".join(anchor.css("::text").getall()).strip()
            row = (url, title or None, NfcmsSpider.item_date(anchor))
            (in_column if parts.path.startswith(column) else elsewhere).append(row)
        return in_column or elsewhere
