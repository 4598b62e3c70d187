"""CMS kinds: one spider class per CMS family. A new portal of a known kind is YAML only."""

from __future__ import annotations

from crawler.kinds.base import KindSpider
from crawler.kinds.founder_epaper import FounderEpaperSpider
from crawler.kinds.gkmlpt import GkmlptSpider
from crawler.kinds.hanweb import HanwebSpider
from crawler.kinds.html_list import HtmlListSpider
from crawler.kinds.nfcms import NfcmsSpider
from crawler.kinds.trs import TrsSpider

KINDS: dict[str, type[KindSpider]] = {
    spider.name: spider
    for spider in (NfcmsSpider, TrsSpider, GkmlptSpider, HanwebSpider, FounderEpaperSpider, HtmlListSpider)
}


def spider_for(kind: str) -> type[KindSpider]:
    try:
        return KINDS[kind]
    except KeyError:
        raise KeyError(f"unknown kind {kind!r} (known: {', '.join(sorted(KINDS))})") from None
