"""What a spider yields: a parsed notice, a failed detail fetch, or the links one list page showed."""

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
    etag: str | None = None  # validators for conditional re-checks
    last_modified: str | None = None


@dataclass
class DetailFailure:
    """A detail page that could not be read as a notice: gone, redirected away, blocked, broken.

    One failure is not a removal: the monitor declares removal after N consecutive failures.
    """

    source_id: str
    url: str
    reason: str  # one line, e.g. "HTTP 404", "412 with a JavaScript cookie challenge"
    kind: str  # gone | redirected | blocked | error
    fetched_at: str


@dataclass
class ListingItem:
    """The detail links one list page showed, with their list title/date (incremental crawls)."""

    source_id: str
    list_url: str
    page: int
    entries: tuple[tuple[str, str | None, str | None], ...]  # (url, list title, list date)
    # Entries the source's keywords passed over: seen on the list, not fetched (crawler/relevance.py).
    skipped: tuple[tuple[str, str | None, str | None], ...] = ()
