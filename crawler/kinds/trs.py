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
from typing import Any
from urllib.parse import urlsplit

from scrapy.http import Response

from crawler.kinds.base import BASE_OPTION_KEYS
from crawler.kinds.nfcms import NfcmsSpider
from crawler.relevance import RELEVANCE_KEYS

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


class TrsSpider(NfcmsSpider):
    """NFCMS's shape with TRS's page numbering, detail URLs and stated page count."""

    name = "trs"
    option_keys = (*BASE_OPTION_KEYS, *RELEVANCE_KEYS)
    detail_path = DETAIL_PATH
    has_postmeta = False  # TRS has no NFCMS JSON

    @classmethod
    def check_options(cls, options: dict[str, Any]) -> dict[str, Any]:
        return {}

    @staticmethod
    def page_url(start_url: str, page: int) -> str:
        return list_page_url(start_url, page)

    def last_page(self, response: Response) -> int | None:
        count = PAGE_COUNT.search(response.text)
        return int(count.group(1)) if count else None
