"""`hanweb`: Hanweb 大汉 (jcms) sites.

A column page `/col/col{id}/index.html` holds its list as a jpage data island whose `<nextgroup>`
names the data proxy and its parameters; the items come from
`POST …/module/web/jpage/dataproxy.jsp?startrecord=1&endrecord=45&perpage=15` with form fields
(`col`, `appid`, `webid`, `path`, `columnid`, `sourceContentType`, `unitid`, `webname`,
`permissiontype`) → XML `<totalrecord>N</totalrecord>` and `<record><![CDATA[<li>…</li>]]></record>`.
Details are `/art/Y/M/D/art_{col}_{id}.html`. Many Hanweb sites are GBK.

The form is read from the column page (the nextgroup link and the jpage call); the `form` option
adds to or overrides it, e.g. `form: {columnid: 1234, unitid: 5678, webid: 2}`. `perpage` (default:
the page's, else 15) is records per list page; one POST asks for three pages, as the browser does.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from typing import Any, ClassVar
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

import scrapy
from scrapy.http import Response

from crawler.items import ListingItem
from crawler.kinds.base import BASE_OPTION_KEYS, KindSpider, OptionError
from crawler.kinds.nfcms import DATE
from crawler.relevance import RELEVANCE_KEYS

DEFAULT_PROXY = "/module/web/jpage/dataproxy.jsp"
DETAIL_PATH = re.compile(r"/art/\d{4}/\d{1,2}/\d{1,2}/art_\d+_\d+\.html?$")
PROXY_LINK = re.compile(r"""([\w/.:-]*dataproxy\.jsp)\?([^"'<>\s\]]+)""")
AJAX_PARAM = re.compile(r"(\w+)\s*:\s*(?:\"([^\"]*)\"|'([^']*)'|([\w/.-]+))")
AJAX_BLOCK = re.compile(r"ajaxParam\s*:\s*\{([^}]*)\}")
PER_PAGE = re.compile(r"perPage\s*[:=]\s*['\"]?(\d+)")
COLUMN_ID = re.compile(r"/col/col(\d+)/")
RECORD = re.compile(r"<record>\s*<!\[CDATA\[(.*?)\]\]>\s*</record>", re.S)
TOTAL = re.compile(r"<totalrecord>\s*(\d+)\s*</totalrecord>")
GROUP_PAGES = 3  # jpage asks for three pages of records per request


def column_form(page_text: str, page_url: str) -> tuple[str, dict[str, str]]:
    """(proxy URL, form fields) as the column page declares them."""
    form: dict[str, str] = {}
    proxy = DEFAULT_PROXY
    link = PROXY_LINK.search(page_text)
    if link:
        proxy = link.group(1)
        query = html.unescape(link.group(2))
        form.update((k, v) for k, v in parse_qsl(query, keep_blank_values=True) if k != "page")
    block = AJAX_BLOCK.search(page_text)
    if block:
        for m in AJAX_PARAM.finditer(block.group(1)):
            form.setdefault(m.group(1), next(g for g in m.groups()[1:] if g is not None))
    found = COLUMN_ID.search(urlsplit(page_url).path)
    if found:
        form.setdefault("columnid", found.group(1))
    form.setdefault("col", "1")
    form.setdefault("appid", "1")
    form.setdefault("path", "/")
    form.setdefault("sourceContentType", "1")
    form.setdefault("permissiontype", "0")
    return urljoin(page_url, proxy), form


class HanwebSpider(KindSpider):
    name = "hanweb"
    option_keys: ClassVar[tuple[str, ...]] = (*BASE_OPTION_KEYS, *RELEVANCE_KEYS, "form", "perpage")
    selector_keys = ("body",)

    @classmethod
    def check_options(cls, options: dict[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if "form" in options:
            form = options["form"]
            if not isinstance(form, dict) or not all(
                isinstance(v, str | int) and not isinstance(v, bool) for v in form.values()
            ):
                raise OptionError(
                    "form", f"expected a mapping of form fields to strings or numbers, got {form!r}"
                )
            out["form"] = {str(k): str(v) for k, v in form.items()}
        if "perpage" in options:
            value = options["perpage"]
            if isinstance(value, bool) or not str(value).isdigit() or int(value) < 1:
                raise OptionError("perpage", f"expected a whole number >= 1, got {value!r}")
            out["perpage"] = int(value)
        return out

    def start_list_requests(self) -> Iterable[scrapy.Request]:
        for start_url in self.source.start_urls:
            yield scrapy.Request(
                start_url,
                callback=self.parse_column,
                errback=self.list_failed,
                meta={"handle_httpstatus_list": [404], "page": 1},
            )

    def is_detail_url(self, url: str) -> bool:
        return bool(DETAIL_PATH.search(urlsplit(url).path))

    def parse_column(self, response: Response) -> Iterable[scrapy.Request]:
        if response.status == 404:
            self.mark_broken(response.url, "list_missing", "the column page is 404")
            return
        if self.list_blocked(response, 1):
            return
        proxy, form = column_form(response.text, response.url)
        form.update(self.source.option("form", {}))
        if "unitid" not in form:
            self.mark_broken(
                response.url, "list_failed", "no jpage data proxy on the column page (set the form option)"
            )
            return
        per_page = self.source.option("perpage")
        if per_page is None:
            found = PER_PAGE.search(response.text)
            per_page = int(found.group(1)) if found else 15
        yield self.proxy_request(proxy, form, per_page, start=1, seen=set())

    def proxy_request(
        self, proxy: str, form: dict[str, str], per_page: int, start: int, seen: set[str]
    ) -> scrapy.Request:
        end = start + per_page * GROUP_PAGES - 1
        query = urlencode({"startrecord": start, "endrecord": end, "perpage": per_page})
        page = (start - 1) // per_page + 1
        return scrapy.FormRequest(
            f"{proxy}?{query}",
            formdata=form,
            callback=self.parse_records,
            errback=self.list_failed,
            cb_kwargs={"proxy": proxy, "form": form, "per_page": per_page, "start": start, "seen": seen},
            # A query, safe to send again if it got no answer (crawler.politeness.ResendUnanswered).
            meta={"handle_httpstatus_list": [404], "page": page, "idempotent": True},
            headers={"X-Requested-With": "XMLHttpRequest"},
        )

    def parse_records(
        self, response: Response, proxy: str, form: dict[str, str], per_page: int, start: int, seen: set[str]
    ) -> Iterable[scrapy.Request | ListingItem]:
        page = (start - 1) // per_page + 1
        if not self.list_page_usable(response, page, missing="the data proxy answers 404"):
            return
        text = response.text if isinstance(response, scrapy.http.TextResponse) else ""
        rows = [row for record in RECORD.findall(text) for row in self.record_rows(record, response.url)]
        total = TOTAL.search(text)
        outputs, to_fetch = self.follow_entries(
            response.url, page, rows, seen, "the data proxy returned no records"
        )
        yield from outputs
        if not rows:
            return
        next_start = start + per_page * GROUP_PAGES
        next_page = (next_start - 1) // per_page + 1
        more = total is None or next_start <= int(total.group(1))
        if to_fetch and more and next_page <= self.source.max_pages:
            yield self.proxy_request(proxy, form, per_page, next_start, seen)

    def record_rows(self, record: str, base_url: str) -> list[tuple[str, str | None, str | None]]:
        snippet = scrapy.Selector(text=f"<ul>{record}</ul>")
        rows = []
        for anchor in snippet.css("a[href]"):
            url = urljoin(base_url, anchor.attrib["href"].strip())
            if not DETAIL_PATH.search(urlsplit(url).path):
                continue
            title = anchor.attrib.get("title") or " ".join(anchor.css("::text").getall()).strip()
            match = DATE.search(" ".join(snippet.css("::text").getall()))
            date = f"{match[1]}-{int(match[2]):02d}-{int(match[3]):02d}" if match else None
            rows.append((url, title or None, date))
        return rows
