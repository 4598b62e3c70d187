"""crawler/sink.py: with an item sink set (the store's pipeline sets its writer), a spider hands its
notices and list pages to it instead of yielding them to Scrapy; without one it yields them."""

from __future__ import annotations

import asyncio
from typing import Any

from scrapy import Request
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler

from crawler.items import ListingItem, NoticeItem
from crawler.kinds.nfcms import NfcmsSpider

LIST = "http://127.0.0.9/col/index.html"
DETAIL = "http://127.0.0.9/col/content/post_1.html"
PAGE = ("<html><head><title>关于开展巡察工作的通知</title></head><body><div class='content'>"
        "<h1>关于开展巡察工作的通知</h1><p>根据工作安排，市委第一巡察组将对市档案馆开展常规巡察。</p>"
        "<p>巡察期间设立信访举报电话，受理时间为工作日。</p></div></body></html>")


class Sink:
    def __init__(self) -> None:
        self.items: list[Any] = []

    def put(self, item: Any) -> None:
        self.items.append(item)


def _spider() -> NfcmsSpider:
    crawler = get_crawler(NfcmsSpider, {"NOTICEWATCH_PARSE_WORKER": False})
    spider = NfcmsSpider.from_crawler(crawler, start_url=LIST)
    crawler.spider = spider
    return spider


def _detail(spider: NfcmsSpider) -> list[Any]:
    response = HtmlResponse(DETAIL, body=PAGE.encode("utf-8"), encoding="utf-8", request=Request(DETAIL),
                            headers={"Content-Type": "text/html; charset=utf-8"})

    async def collect() -> list[Any]:
        return [out async for out in spider.parse_detail(response, list_title="列表标题", list_date="2024-05-06")]

    return asyncio.run(collect())


def _listing(spider: NfcmsSpider) -> list[Any]:
    outputs, _ = spider.follow_entries(LIST, 1, [(DETAIL, "列表标题", "2024-05-06")], set())
    return outputs


def test_without_a_sink_items_are_yielded() -> None:
    spider = _spider()
    [notice] = _detail(spider)
    assert isinstance(notice, NoticeItem) and notice.url == DETAIL and notice.notice.body_text
    listing, request = _listing(spider)
    assert isinstance(listing, ListingItem) and isinstance(request, Request) and request.url == DETAIL


def test_with_a_sink_items_go_to_it_and_requests_are_still_yielded() -> None:
    yielded, sunk = _spider(), _spider()
    sink = Sink()
    sunk.item_sink = sink
    assert _detail(sunk) == []
    [request] = _listing(sunk)
    assert isinstance(request, Request) and request.url == DETAIL
    notice, listing = sink.items
    [expected] = _detail(yielded)
    assert isinstance(notice, NoticeItem) and notice.notice == expected.notice and notice.raw_sha256 == expected.raw_sha256
    assert isinstance(listing, ListingItem) and listing.entries == ((DETAIL, "列表标题", "2024-05-06"),)
