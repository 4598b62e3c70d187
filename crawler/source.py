"""The crawler's view of one source: what to fetch and how. Built by monitor's config loader,
or from `scrapy crawl KIND -a start_url=…` arguments."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class SourceSpec:
    id: str
    kind: str
    start_urls: tuple[str, ...]
    name: str = ""
    max_pages: int = 5
    encoding: str | None = None
    # Per-kind CSS overrides, e.g. {"body": "#zoomcon", "list": "div.wendangListC"}.
    selectors: dict[str, str] = field(default_factory=dict)

    def selector(self, name: str) -> str | None:
        return self.selectors.get(name)
