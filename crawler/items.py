"""What a spider yields: a parsed notice plus how and when it was fetched."""

from __future__ import annotations

from dataclasses import dataclass

from crawler.notice import Notice


@dataclass
class NoticeItem:
    source_id: str
    url: str
    notice: Notice
    fetched_at: str  # ISO 8601 UTC
    raw_sha256: str  # hash of the raw response bytes, kept with each version
    http_status: int = 200
    list_title: str | None = None  # as shown on the list page (for incremental crawls)
    list_date: str | None = None
