"""`gkmlpt`: the Guangdong open-government catalogue (政府信息公开目录, 集约化 platform).

The catalogue page is a JavaScript app; its list comes from a JSON API,
`GET /gkmlpt/api/all/{category}?page=N&sid=SID` → `{"articles": [{id, title, url, date,
identifier, document_number, …}], "total": N}`, 100 articles a page. Details are NFCMS-like HTML
pages (`/gkmlpt/content/…/post_{id}.html`). 索引号 and 文号 are stored as `identifier` and
`document_number` (from the API; from the detail page's header table when the API has none).

A source gives the API URL itself as its start URL
(`https://www.zhuhai.gov.cn/gkmlpt/api/all/2929?sid=760001`), or any URL on the site plus the
options `sid` and `category` — or, without hand-copied ids, the site's `/gkmlpt/index` (any URL on
the site does) and `categories` by name (`categories: [巡视巡察, 通知公告]`): the sid and the
category ids are read from the index page's `SID` and `TREE` at crawl time (crawler/catalogue.py).
Neither `category` nor `categories`: the tree's categories named 巡视/巡察 that hold posts.
Titles that come `%uXXXX`-escaped are decoded.
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

from crawler import catalogue
from crawler.items import NoticeItem
from crawler.kinds.base import BASE_OPTION_KEYS, KindSpider, OptionError
from crawler.parser.dates import parse_date
from crawler.postmeta import unescape_title
from crawler.relevance import RELEVANCE_KEYS

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
    option_keys: ClassVar[tuple[str, ...]] = (
        *BASE_OPTION_KEYS,
        *RELEVANCE_KEYS,
        "sid",
        "category",
        "categories",
    )
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
        if "categories" in options:
            names = options["categories"]
            if isinstance(names, str):
                names = [names]
            if (
                not isinstance(names, list | tuple)
                or not names
                or not all(isinstance(n, str) and n.strip() for n in names)
            ):
                raise OptionError("categories", f"expected a list of category names, got {names!r}")
            out["categories"] = tuple(n.strip() for n in names)
        return out

    def start_list_requests(self) -> Iterable[scrapy.Request]:
        for start_url in self.source.start_urls:
            parts = urlsplit(start_url)
            query = parse_qs(parts.query)
            found = API_PATH.search(parts.path)
            category = self.source.option("category") or (found.group(1) if found else None)
            sid = self.source.option("sid") or (query.get("sid") or [None])[0]
            origin = f"{parts.scheme}://{parts.netloc}"
            if category and sid and not self.source.option("categories"):
                yield self.api_request(origin, category, sid, page=1, seen=set(), per_page=0)
            else:  # ids to read from the index page
                yield scrapy.Request(
                    f"{origin}/gkmlpt/index",
                    callback=self.parse_index,
                    errback=self.list_failed,
                    cb_kwargs={"origin": origin, "category": category, "sid": sid},
                    meta={"handle_httpstatus_list": [404], "page": 1},
                )

    def parse_index(
        self, response: Response, origin: str, category: str | None, sid: str | None
    ) -> Iterable[Any]:
        """The catalogue's index page: its SID and the chosen categories' ids, then their API pages."""
        if not self.list_page_usable(response, 1, missing="the catalogue index /gkmlpt/index is 404"):
            return
        try:
            index = catalogue.read_index(response.text)
        except catalogue.CatalogueError as exc:
            self.mark_broken(response.url, "list_failed", str(exc))
            return
        sid = sid or index.sid
        chosen = self.chosen_categories(response.url, index, category)
        if not sid:
            self.mark_broken(response.url, "config", "no SID in the index page: set the option sid")
            return
        if not chosen:
            return
        seen: set[str] = set()
        for i, cat in enumerate(chosen):
            self.count("catalogue/categories")
            yield self.api_request(origin, cat.id, sid, page=1, seen=seen, per_page=0, first=i == 0)

    def chosen_categories(
        self, index_url: str, index: catalogue.CatalogueIndex, category: str | None
    ) -> list[catalogue.Category]:
        """`category` (an id), the categories `categories` names, or the 巡视/巡察 ones; reported
        (the source broken) when none is found."""
        names = self.source.option("categories") or ()
        chosen, missing = catalogue.choose(index, names)
        if category:
            known = {c.id: c for c in index.categories}
            chosen.insert(0, known.get(category) or catalogue.Category(category, category, None, ()))
        top = ", ".join(dict.fromkeys(c.name for c in index.categories if len(c.path) <= 2)) or "none"
        for name in missing:
            self.report_problem(
                "config", index_url, f"no catalogue category named {name!r} (categories: {top})"
            )
        if not names and not category:
            chosen = catalogue.inspection_categories(index)
            if not chosen:
                self.mark_broken(
                    index_url,
                    "config",
                    f"no category named 巡视/巡察 in the catalogue: set categories ({top})",
                )
        elif not chosen:
            self.mark_broken(index_url, "config", f"none of the categories {list(names)} is in the catalogue")
        return chosen

    def api_request(
        self,
        origin: str,
        category: str,
        sid: str,
        page: int,
        seen: set[str],
        per_page: int,
        first: bool = True,
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
                "first": first,
            },
            # Only the first category's first page decides whether the source is broken.
            meta={"handle_httpstatus_list": [404], "page": page if first else page + 1},
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
        first: bool = True,
    ) -> Iterable[Any]:
        if not self.list_page_usable(
            response, page if first else page + 1, missing="the catalogue API answers 404"
        ):
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
        if not rows and not first:
            self.report_problem("list_empty", response.url, f"no articles in category {category} (sid {sid})")
            return
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
            yield self.api_request(origin, category, sid, page + 1, seen, per_page, first)

    def article_row(
        self, api_url_: str, article: Any
    ) -> tuple[str, str | None, str | None, dict[str, Any]] | None:
        if not isinstance(article, dict) or not article.get("url"):
            return None
        url, _ = urldefrag(urljoin(api_url_, str(article["url"]).strip()))
        extra = {field: _text(article.get(field)) for field in ("identifier", "document_number")}
        title = _text(article.get("title"))
        return url, unescape_title(title) if title else None, article_date(article.get("date")), extra

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
