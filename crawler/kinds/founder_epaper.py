"""`founder_epaper`: Founder (方正) e-papers such as Macao Daily (澳門日報), in traditional script.

An edition is `/html/YYYY-MM/DD/`; its pages (版) are `node_N.htm`, each linking all pages of the
edition by `id="pageLink"` anchors and its own articles `content_{id}.htm`; an article has its
title in `<founder-title>` and its text in `#ozoom`, and its date only in the URL (the parser reads
it from there). Only articles whose title matches one of `keywords` are fetched and stored (with
`match: text`, every article is fetched and those whose title or text matches are kept).

Start URLs are an edition's first page (`…/html/2024-09/26/node_2.htm`), or a template with
`{yyyy}`, `{mm}`, `{dd}` for the last `days` editions up to `until` (default: today in China):
`http://www.macaodaily.com/html/{yyyy}-{mm}/{dd}/node_2.htm`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime, timedelta, timezone
from typing import Any, ClassVar
from urllib.parse import urljoin, urlsplit

import scrapy
from scrapy.http import Response

from crawler.items import ListingItem
from crawler.kinds.base import BASE_OPTION_KEYS, KindSpider, OptionError
from crawler.relevance import RELEVANCE_KEYS, Relevance

# 巡視/巡视, 巡察, 整改, 橫琴/横琴: matched on both scripts (titles are compared as printed and t2s).
DEFAULT_KEYWORDS = ("巡視", "巡视", "巡察", "整改", "橫琴", "横琴")
EDITION_DIR = re.compile(r"/html/(\d{4})-(\d{2})/(\d{2})/")
ARTICLE = re.compile(r"/html/\d{4}-\d{2}/\d{2}/content_\d+\.html?$")
PAGE = re.compile(r"/html/\d{4}-\d{2}/\d{2}/node_\d+\.html?$")
CHINA = timezone(timedelta(hours=8))


def edition_urls(template: str, days: int, until: date) -> list[str]:
    """The template filled in for `days` dates ending at `until`, newest first."""
    out = []
    for back in range(days):
        day = until - timedelta(days=back)
        out.append(template.format(yyyy=f"{day.year:04d}", mm=f"{day.month:02d}", dd=f"{day.day:02d}"))
    return out


class FounderEpaperSpider(KindSpider):
    name = "founder_epaper"
    option_keys: ClassVar[tuple[str, ...]] = (*BASE_OPTION_KEYS, *RELEVANCE_KEYS, "days", "until")
    selector_keys = ("body",)

    @classmethod
    def check_options(cls, options: dict[str, Any]) -> dict[str, Any]:
        # keywords/match are checked for every kind by KindSpider.checked_options (crawler/relevance.py).
        out: dict[str, Any] = {}
        if "days" in options:
            value = options["days"]
            if isinstance(value, bool) or not str(value).isdigit() or not 1 <= int(value) <= 31:
                raise OptionError("days", f"expected a whole number from 1 to 31, got {value!r}")
            out["days"] = int(value)
        if "until" in options:
            try:
                out["until"] = date.fromisoformat(str(options["until"])).isoformat()
            except ValueError:
                raise OptionError("until", f"expected a date YYYY-MM-DD, got {options['until']!r}") from None
        return out

    @property
    def keywords(self) -> tuple[str, ...]:
        return tuple(self.source.option("keywords", DEFAULT_KEYWORDS))

    def matches(self, text: str) -> bool:
        return Relevance(self.keywords).matches(text)

    def start_list_requests(self) -> Iterable[scrapy.Request]:
        until = self.source.option("until")
        last = date.fromisoformat(until) if until else datetime.now(CHINA).date()
        self.seen_pages: set[str] = set()
        self.seen_articles: set[str] = set()
        for start_url in self.source.start_urls:
            if "{" in start_url:
                for url in edition_urls(start_url, self.source.option("days", 1), last):
                    yield self.page_request(url, first=True, concrete=False)
            else:
                yield self.page_request(start_url, first=True, concrete=True)

    def page_request(self, url: str, first: bool, concrete: bool) -> scrapy.Request:
        self.seen_pages.add(url)
        return scrapy.Request(
            url,
            callback=self.parse_page,
            errback=self.list_failed,
            cb_kwargs={"first": first, "concrete": concrete},
            meta={"handle_httpstatus_list": [404], "page": 1 if first and concrete else 2},
        )

    def is_detail_url(self, url: str) -> bool:
        return bool(ARTICLE.search(urlsplit(url).path))

    def parse_page(self, response: Response, first: bool, concrete: bool) -> Iterable[Any]:
        if response.status == 404:
            if first and concrete:
                self.mark_broken(response.url, "list_missing", "the edition page is 404")
            elif first:
                self.report_problem("edition_missing", response.url, "no edition for this date (404)")
            return
        if self.list_blocked(response, 1 if first and concrete else 2):
            return
        self.count("pages/list")
        edition = EDITION_DIR.search(urlsplit(response.url).path)
        if edition is None:
            # A front door without a date (e.g. /index.htm): follow its link to an edition page.
            for href in response.css("a::attr(href), area::attr(href)").getall():
                url = urljoin(response.url, href.strip())
                if PAGE.search(urlsplit(url).path) and url not in self.seen_pages:
                    yield self.page_request(url, first=first, concrete=concrete)
                    return
            self.mark_broken(response.url, "list_empty", "no edition page linked")
            return
        day = "-".join(edition.groups())
        edition_path = edition.group(0)
        for href in response.css("a#pageLink::attr(href), a[id=pageLink]::attr(href)").getall():
            url = urljoin(response.url, href.strip())
            if edition_path in urlsplit(url).path and url not in self.seen_pages:
                yield self.page_request(url, first=False, concrete=concrete)
        entries = self.articles(response)
        if not entries and first and concrete and not response.css("a#pageLink"):
            self.mark_broken(response.url, "list_empty", "no pages or articles on the edition page")
            return
        by_title = self.source.option("match", "title") == "title"
        chosen = [(url, title, day) for url, title in entries if not by_title or self.matches(title or "")]
        self.count("items/filtered_out", len(entries) - len(chosen))
        fresh = [row for row in chosen if row[0] not in self.seen_articles]
        self.seen_articles.update(url for url, _, _ in fresh)
        if fresh:
            yield ListingItem(self.source.id, response.url, 1, tuple(fresh))
        for url, title, list_day in fresh:
            if self.is_known_unchanged(url, title, list_day):
                self.count("items/known_unchanged")
                continue
            request = self.detail_request(url, title, list_day)
            if request is not None:
                yield request

    def articles(self, response: Response) -> list[tuple[str, str | None]]:
        """(article URL, title) on this page, in page order: nav list first, image map after."""
        found: dict[str, str | None] = {}
        for anchor in response.css("a[href], area[href]"):
            url = urljoin(response.url, anchor.attrib["href"].strip())
            if not ARTICLE.search(urlsplit(url).path):
                continue
            title = " ".join(anchor.css("::text").getall()).strip() or anchor.attrib.get("title")
            if title or url not in found:
                found[url] = found.get(url) or title or None
        return list(found.items())

    def keep_notice(self, notice: Any) -> bool:
        if self.source.option("match", "title") == "title":
            return True
        return self.matches(f"{notice.title or ''}\n{notice.body_text}")
