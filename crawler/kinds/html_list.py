"""`html_list`: any portal of no known CMS family, described by CSS selectors in config.yaml.

    kind: html_list
    start_urls: [https://www.example.gov.cn/news/list.shtml]
    selectors:
      item: div.news-item          # one list entry (required)
      link: h4 a                   # the detail link inside an entry (default: the first a[href])
      date: span.pubdate           # the entry's date text (optional; "2024年09月26日" is fine)
      next_page: a.next-page       # the next list page's link (optional: no paging without it)
      body: div.article-body       # the detail page's article text (optional)
    detail_pattern: '/news/detail/\\d+\\.shtml$'   # optional: only links whose URL matches

Paging follows `next_page` until `max_pages`, a page with nothing new, or no such link.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any, ClassVar
from urllib.parse import urljoin, urlsplit

import scrapy
from scrapy.http import Response

from crawler.kinds.base import BASE_OPTION_KEYS, KindSpider, OptionError
from crawler.kinds.nfcms import DATE
from crawler.relevance import RELEVANCE_KEYS


class HtmlListSpider(KindSpider):
    name = "html_list"
    option_keys: ClassVar[tuple[str, ...]] = (*BASE_OPTION_KEYS, *RELEVANCE_KEYS, "detail_pattern")
    selector_keys = ("item", "link", "title", "date", "next_page", "body")

    @classmethod
    def check_options(cls, options: dict[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if "detail_pattern" in options:
            try:
                re.compile(str(options["detail_pattern"]))
            except re.error as exc:
                raise OptionError("detail_pattern", f"not a regular expression: {exc}") from None
            out["detail_pattern"] = str(options["detail_pattern"])
        return out

    def start_list_requests(self) -> Iterable[scrapy.Request]:
        if not self.source.selector("item"):
            self.mark_broken(
                self.source.start_urls[0], "config", "html_list needs selectors.item (one list entry)"
            )
            return
        for start_url in self.source.start_urls:
            yield self.list_request(start_url, page=1, seen=set())

    def is_detail_url(self, url: str) -> bool:
        pattern = self.source.option("detail_pattern")
        if pattern:
            return bool(re.search(pattern, url))
        # Without a pattern: anything on the site but its home page and the list pages themselves.
        parts, start = urlsplit(url), urlsplit(self.source.start_urls[0])
        lists = {urlsplit(u).path for u in self.source.start_urls}
        home = parts.path in ("", "/", "/index.html", "/index.htm", "/index.shtml")
        return parts.netloc == start.netloc and not home and parts.path not in lists

    def parse_list(self, response: Response, page: int, seen: set[str]) -> Iterable[Any]:
        if not self.list_page_usable(response, page):
            return
        empty = f"no entries match selectors.item {self.source.selector('item')!r}"
        outputs, to_fetch = self.follow_entries(response.url, page, self.list_items(response), seen, empty)
        yield from outputs
        next_selector = self.source.selector("next_page")
        href = response.css(next_selector).attrib.get("href") if next_selector else None
        if to_fetch and href and page < self.source.max_pages and not href.startswith("javascript"):
            yield self.list_request(urljoin(response.url, href.strip()), page + 1, seen)

    def list_items(self, response: Response) -> list[tuple[str, str | None, str | None]]:
        rows: list[tuple[str, str | None, str | None]] = []
        done: set[str] = set()
        pattern = self.source.option("detail_pattern")
        for entry in response.css(self.source.selector("item")):
            anchor = entry.css(self.source.selector("link") or "a[href]")
            href = anchor.attrib.get("href") if anchor else None
            if not href or href.startswith(("javascript", "#")):
                continue
            url = urljoin(response.url, href.strip())
            if url in done or (pattern and not re.search(pattern, url)):
                continue
            done.add(url)
            if self.source.selector("title"):
                title = " ".join(entry.css(self.source.selector("title")).css("::text").getall()).strip()
            else:
                title = anchor.attrib.get("title") or " ".join(anchor.css("::text").getall()).strip()
            date_el = entry.css(self.source.selector("date")) if self.source.selector("date") else entry
            match = DATE.search(" ".join(date_el.css("::text").getall()))
            date = f"{match[1]}-{int(match[2]):02d}-{int(match[3]):02d}" if match else None
            rows.append((url, title or None, date))
        return rows
