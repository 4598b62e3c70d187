"""The crawler's view of one source: what to fetch and how. Built by monitor's config loader,
or from `scrapy crawl KIND -a start_url=…` arguments."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


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
    # Politeness overrides for this source (None: the crawl's defaults).
    download_delay: float | None = None
    retries: int | None = None
    pause_after_failures: int | None = None
    # Kind-specific options from config.yaml (the kind's `option_keys` beyond the common ones),
    # already checked by the kind's `check_options`, e.g. {"sid": 760001, "category": 2929}.
    options: dict[str, Any] = field(default_factory=dict)

    def scrapy_settings(self) -> dict[str, object]:
        """The per-crawl Scrapy settings this source overrides."""
        out: dict[str, object] = {}
        if self.download_delay is not None:
            out["DOWNLOAD_DELAY"] = self.download_delay
            out["AUTOTHROTTLE_START_DELAY"] = self.download_delay
        if self.retries is not None:
            out["RETRY_TIMES"] = self.retries
        if self.pause_after_failures is not None:
            out["NOTICEWATCH_PAUSE_AFTER_FAILURES"] = self.pause_after_failures
        return out

    def selector(self, name: str) -> str | None:
        return self.selectors.get(name)

    def option(self, name: str, default: Any = None) -> Any:
        return self.options.get(name, default)
