"""`gkmlpt`: the Guangdong open-government catalogue (政府信息公开目录, 集约化 platform).

The catalogue page is a JavaScript app; its list comes from a JSON API,
`GET /gkmlpt/api/all/{category}?page=N&sid=SID` → `{"articles": [{id, title, url, date,
identifier, document_number, …}], "total": N}`, 100 articles a page. Details are NFCMS-like HTML
pages (`/gkmlpt/content/…/post_{id}.html`). 索引号 and 文号 are stored as `identifier` and
`document_number` (from the API; from the detail page's header table when the API has none).

A source gives either the API URL itself as its start URL
(`https://www.zhuhai.gov.cn/gkmlpt/api/all/2929?sid=760001`), or any URL on the site plus the
options `sid` and `category`.
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator, Iterable
from datetime import UTC, datetime, timedelta, timezone
from typing import Any, ClassVar
from urllib.parse import parse_qs, urldefrag, urljoin, urlsplit

import scrapy
from scrapy.http import Response

from crawler.items import NoticeItem
from crawler.kinds.base import BASE_OPTION_KEYS, KindSpider, OptionError
from crawler.parser.dates import parse_date

API_PATH = re.compile(r"/gkmlpt/api/all/(\d+)")
DETAIL_PATH = re.compile(r"/(?:gkmlpt/)?content/(?:[\d/]+/)?m?post_\d+\.html?$")
CHINA = timezone(timedelta(hours=8))
_LABELS = {"索引号": "identifier", "文号": "document_number"}
_LABEL_END = re.compile(r"[::\s\u3000]+$")


def api_url(origin: str, category: str, sid: str, page: int) -> str:
    return f"{origin}/gkmlpt/api/all/{category}?page={page}&sid={sid}"


def article_date(value: Any) -> str | None:
    """The API's `date`: a Unix time (seconds or milliseconds; the day in China) or a date string."""
    if isinstance(value, bool) or value in (None, ""):
        return None
    if isinstance(value, int | float) or (isinstance(value, str) and value.isdigit()):
        seconds = float(value)
        if seconds > 10**11:  # milliseconds
            seconds /= 1000
        return datetime.fromtimestamp(seconds, UTC).astimezone(CHINA).date().isoformat()
    return parse_date(str(value))


def _text(value: Any) -> str | None:
    text = str(value).strip() if value is not None else ""
    return text or None


class GkmlptSpider(KindSpider):
    name = "gkmlpt"
    option_keys: ClassVar[tuple[str, ...]] = (*BASE_OPTION_KEYS, "sid", "category")
    selector_keys = ("body",)

    @classmethod
    def check_options(cls, options: dict[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key in ("sid", "category"):
            if key not in options:
                continue
            value = options[key]
            if isinstance(value, bool) or not re.fullmatch(r"\d+", str(value).strip()):
                raise OptionError(key, f"expected a number (the catalogue's {key}), got {value!r}")
            out[key] = str(value).strip()
        return out

    def start_list_requests(self) -> Iterable[scrapy.Request]:
        for start_url in self.source.start_urls:
            parts = urlsplit(start_url)
            query = parse_qs(parts.query)
            found = API_PATH.search(parts.path)
            category = self.source.option("category") or (found.group(1) if found else None)
            sid = self.source.option("sid") or (query.get("sid") or [None])[0]
            if not (category and sid):
                self.mark_broken(
                    start_url,
                    "config",
                    "gkmlpt needs the options sid and category, or an API start URL "
                    "(…/gkmlpt/api/all/CATEGORY?sid=SID)",
                )
                continue
            origin = f"{parts.scheme}://{parts.netloc}"
            yield self.api_request(origin, category, sid, page=1, seen=set(), per_page=0)

    def api_request(
        self, origin: str, category: str, sid: str, page: int, seen: set[str], per_page: int
    ) -> scrapy.Request:
        return scrapy.Request(
            api_url(origin, category, sid, page),
            callback=self.parse_api,
            errback=self.list_failed,
            cb_kwargs={
                "origin": origin,
                "category": category,
                "sid": sid,
                "page": page,
                "seen": seen,
                "per_page": per_page,
            },
            meta={"handle_httpstatus_list": [404], "page": page},
            headers={"Accept": "application/json, text/plain, */*"},
        )

    def is_detail_url(self, url: str) -> bool:
        return bool(DETAIL_PATH.search(urlsplit(url).path))

    def parse_api(
        self,
        response: Response,
        origin: str,
        category: str,
        sid: str,
        page: int,
        seen: set[str],
        per_page: int,
    ) -> Iterable[Any]:
        if not self.list_page_usable(response, page, missing="the catalogue API answers 404"):
            return
        try:
            data = json.loads(response.body.decode("utf-8-sig"))
            articles = data["articles"]
            total = int(data.get("total") or 0)
        except (ValueError, KeyError, TypeError):
            what = "the catalogue API did not answer its JSON ({articles, total})"
            if page == 1:
                self.mark_broken(response.url, "list_failed", what)
            else:
                self.report_problem("list_page_failed", response.url, what)
            return
        rows = [row for row in (self.article_row(response.url, a) for a in articles) if row]
        outputs, to_fetch = self.follow_entries(
            response.url,
            page,
            [row[:3] for row in rows],
            seen,
            empty=f"no articles in category {category} (sid {sid})",
            extras={row[0]: row[3] for row in rows},
        )
        yield from outputs
        per_page = per_page or len(articles)
        if to_fetch and page < self.source.max_pages and page * per_page < total:
            yield self.api_request(origin, category, sid, page + 1, seen, per_page)

    def article_row(
        self, api_url_: str, article: Any
    ) -> tuple[str, str | None, str | None, dict[str, Any]] | None:
        if not isinstance(article, dict) or not article.get("url"):
            return None
        url, _ = urldefrag(urljoin(api_url_, str(article["url"]).strip()))
        extra = {field: _text(article.get(field)) for field in ("identifier", "document_number")}
        return url, _text(article.get("title")), article_date(article.get("date")), extra

    async def parse_detail(
        self,
        response: Response,
        list_title: str | None = None,
        list_date: str | None = None,
        extra: dict[str, Any] | None = None,
    ) -> AsyncIterator[Any]:
        # 索引号/文号 the API left empty come from the page's header table.
        table = self.catalogue_table(response) if isinstance(response, scrapy.http.TextResponse) else {}
        merged = {k: (extra or {}).get(k) or table.get(k) for k in ("identifier", "document_number")}
        async for item in super().parse_detail(response, list_title, list_date, merged):
            if isinstance(item, NoticeItem):
                self.count("field/identifier/missing", 0 if item.notice.identifier else 1)
            yield item

    @staticmethod
    def catalogue_table(response: Response) -> dict[str, str]:
        """{"identifier": …, "document_number": …} from the header table's label/value cells."""
        out: dict[str, str] = {}
        cells = [" ".join(td.css("::text").getall()).strip() for td in response.css("td, th")]
        for label, value in zip(cells, cells[1:], strict=False):
            key = _LABELS.get(_LABEL_END.sub("", label))
            if key and value and _LABEL_END.sub("", value) not in _LABELS:
                out.setdefault(key, value)
        return out
