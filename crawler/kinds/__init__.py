"""CMS kinds: one spider class per CMS family. A new portal of a known kind is YAML only."""

from __future__ import annotations

from crawler.kinds.base import KindSpider
from crawler.kinds.nfcms import NfcmsSpider

KINDS: dict[str, type[KindSpider]] = {
    NfcmsSpider.name: NfcmsSpider,
}


def spider_for(kind: str) -> type[KindSpider]:
    try:
        return KINDS[kind]
    except KeyError:
        raise KeyError(f"unknown kind {kind!r} (known: {', '.join(sorted(KINDS))})") from None
