"""What the store hands out and takes in: frozen records, and the row <-> Notice conversions."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from crawler.notice import NOTICE_FIELDS, Notice
from monitor.changes import identity_key

RUN_COUNTERS = ("items", "new", "changed", "unchanged", "removed", "restored", "moved", "failures")
# Failures that are evidence the notice is gone. Server errors and timeouts are the source's
# trouble, not the notice's: they are recorded but never lead to a removal.
COUNTED_FAILURES = frozenset({"gone", "redirected", "blocked"})


class StoreError(RuntimeError):
    """The database cannot be opened or used; one line naming the file and what to do."""


def utcnow() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass(frozen=True)
class StoredNotice:
    id: int
    notice: Notice
    status: str  # active | removed
    first_seen: str
    last_seen: str
    version_count: int
    consecutive_failures: int = 0


@dataclass(frozen=True)
class Version:
    version: int
    fetched_at: str
    raw_sha256: str
    content_hash: str
    notice: Notice


@dataclass(frozen=True)
class Event:
    id: int
    kind: str  # new | changed | removed | restored | moved
    notice_id: int
    source_id: str
    url: str
    detected_at: str
    summary: str
    changes: tuple[dict[str, Any], ...]
    diff: str
    window_open: bool


@dataclass(frozen=True)
class RecheckPolicy:
    """Which stored notices a re-check visits (see Store.recheck_candidates)."""

    recent_days: int = 30
    stale_days: int = 7
    everything: bool = False


@dataclass(frozen=True)
class Known:
    """What a re-check needs to know of a stored notice."""

    id: int
    url: str
    source_id: str
    etag: str | None
    last_modified: str | None



def identity_column(notice: Notice) -> str | None:
    key = identity_key(notice)
    return json.dumps(key, ensure_ascii=False) if key else None


def notice_columns(notice: Notice) -> dict[str, Any]:
    """Notice → column values; list-valued fields as JSON text."""
    return {name: json.dumps(value, ensure_ascii=False) if isinstance(value, list) else value
            for name, value in notice.to_dict().items()}


def row_to_notice(row: dict[str, Any]) -> Notice:
    data: dict[str, Any] = {}
    for name in NOTICE_FIELDS:
        value = row.get(name)
        if isinstance(value, str) and value[:1] == "[" and name in _LIST_FIELDS:
            value = json.loads(value)
        data[name] = value
    return Notice.from_dict(data)


_LIST_FIELDS = frozenset(name for name, value in Notice().to_dict().items() if isinstance(value, list))


def row_to_stored(row: dict[str, Any]) -> StoredNotice:
    return StoredNotice(id=row["id"], notice=row_to_notice(row), status=row["status"], first_seen=row["first_seen"],
                        last_seen=row["last_seen"], version_count=row["version_count"] or 1,
                        consecutive_failures=row["consecutive_failures"] or 0)
