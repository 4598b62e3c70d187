"""CMS kinds: one spider class per CMS family. A new portal of a known kind is YAML only.

This module is a registry that imports no spider. Loading config.yaml (so every `noticewatch`
command, `status` included) needs only each kind's name and the keys a source of it may set; a
spider module brings Scrapy, Twisted and the parser (~400 ms), so it is imported when the spider
itself is wanted (`spider_for`, `Kind.spider`, `Kind.check_options` with options to check).

A new kind: its module in this package, and one `Kind` line below whose keys repeat the spider's
`option_keys` and `selector_keys` (tests/test_startup.py checks that they agree).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from crawler.kinds.base import KindSpider

# crawler.kinds.base.BASE_OPTION_KEYS: option keys every kind has, read by the config loader itself.
BASE_OPTION_KEYS = ("max_pages", "encoding", "selectors")
# crawler.relevance.RELEVANCE_KEYS: every list kind's relevance filter, carried in SourceSpec.options.
RELEVANCE = ("keywords", "match")
COMMON = (*BASE_OPTION_KEYS, *RELEVANCE)


@dataclass(frozen=True)
class Kind:
    name: str
    spider_path: str  # "module:Class"
    option_keys: tuple[str, ...] = COMMON  # the spider's `option_keys`
    selector_keys: tuple[str, ...] = ("body",)  # the spider's `selector_keys`

    def kind_option_keys(self) -> tuple[str, ...]:
        """The kind's own option keys (`KindSpider.kind_option_keys`), carried in SourceSpec.options."""
        return tuple(k for k in self.option_keys if k not in BASE_OPTION_KEYS)

    def spider(self) -> type[KindSpider]:
        module, _, cls = self.spider_path.partition(":")
        # The import statement's machinery, not importlib.import_module: `-X importtime` lists it.
        return getattr(__import__(module, fromlist=[cls]), cls)

    def check_options(self, options: dict[str, Any]) -> dict[str, Any]:
        """The spider's `checked_options`: keywords/match and the kind's own `check_options` (raises
        crawler.kinds.base.OptionError). No options, nothing to check: every kind's check of {} is {}
        (tests/test_startup.py), so the spider stays unloaded."""
        return self.spider().checked_options(options) if options else {}


REGISTRY: dict[str, Kind] = {
    kind.name: kind
    for kind in (
        Kind("nfcms", "crawler.kinds.nfcms:NfcmsSpider", (*COMMON, "column_id"), ("body", "list")),
        Kind("trs", "crawler.kinds.trs:TrsSpider", selector_keys=("body", "list")),
        Kind("gkmlpt", "crawler.kinds.gkmlpt:GkmlptSpider", (*COMMON, "sid", "category", "categories")),
        Kind("hanweb", "crawler.kinds.hanweb:HanwebSpider", (*COMMON, "form", "perpage")),
        Kind(
            "founder_epaper",
            "crawler.kinds.founder_epaper:FounderEpaperSpider",
            (*COMMON, "days", "until"),
        ),
        Kind(
            "html_list",
            "crawler.kinds.html_list:HtmlListSpider",
            (*COMMON, "detail_pattern"),
            ("item", "link", "title", "date", "next_page", "body"),
        ),
    )
}
KIND_NAMES: tuple[str, ...] = tuple(REGISTRY)


def kind(name: str) -> Kind:
    try:
        return REGISTRY[name]
    except KeyError:
        raise KeyError(f"unknown kind {name!r} (known: {', '.join(sorted(REGISTRY))})") from None


def spider_for(name: str) -> type[KindSpider]:
    return kind(name).spider()


def __getattr__(name: str) -> Any:
    # KINDS, {kind name: spider class}, imports every spider: for code that wants the classes.
    if name == "KINDS":
        return {k.name: k.spider() for k in REGISTRY.values()}
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
