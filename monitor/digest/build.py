"""The digest: what changed, in the order a reader cares about. Pure: events + notices + now → Digest.

Sections, in this order (empty ones are left out):
  withdrawn     removed while the comment window was open (the headline)
  new           new notices: title, inspected organisation, team, window and its status, link
  changed       field changes in words and a short diff excerpt
  closing_soon  notices (not events) whose window closes within `closing_soon_days` of today
  removed       removed (window not open), restored and moved notices
  problems      sources that are blocked, broke, fail or went silent, with what to do
Each event section is grouped by source. "Today" is the date in China (Asia/Shanghai): windows are
stated in Beijing time, so a window "至10月25日" is open all of 25 October there.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from crawler.notice import Notice
from monitor.digest.sources import SourceProblem
from monitor.digest.words import describe_change, diff_segments, field_label, window_words
from monitor.store.records import Event, StoredNotice
from monitor.window import china_today

SECTION_TITLES = {
    "withdrawn": "Withdrawn while open for comment",
    "new": "New notices",
    "changed": "Changed notices",
    "closing_soon": "Comment windows closing soon",
    "removed": "Removed, restored and moved",
}
SECTION_ORDER = tuple(SECTION_TITLES)


@dataclass(frozen=True)
class NoticeRef:
    """What a digest shows of a notice (its current state)."""

    id: int
    title: str
    url: str
    source_id: str
    source_name: str
    status: str  # active | removed
    doc_type: str
    published_at: str | None
    inspection_level: str | None
    inspection_round: str | None
    inspection_team: str | None
    inspected_org: str | None
    disclosure_start: str | None
    disclosure_end: str | None
    window_status: str  # upcoming | open | closing soon | closed | unknown
    window_text: str  # "open, closes in 3 days (2024-10-25)"
    days_left: int | None
    phones: tuple[str, ...] = ()
    emails: tuple[str, ...] = ()
    postal_address: str | None = None
    postcode: str | None = None


@dataclass(frozen=True)
class ChangeLine:
    field: str
    label: str
    old: object
    new: object
    text: str  # "comment window closes: 2024-10-25 → 2024-11-08 (14 days later)"


@dataclass(frozen=True)
class Item:
    kind: str  # new | changed | removed | restored | moved | closing_soon
    notice: NoticeRef
    event_id: int | None = None
    detected_at: str | None = None
    summary: str = ""
    note: str = ""  # what the event adds to the title: "3 failed fetches, last: HTTP 404"
    changes: tuple[ChangeLine, ...] = ()
    diff: tuple[tuple[str, str], ...] = ()  # (same | del | ins, text)
    window_open: bool = False


@dataclass(frozen=True)
class SourceGroup:
    source_id: str
    source_name: str
    items: tuple[Item, ...]


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    groups: tuple[SourceGroup, ...]

    @property
    def count(self) -> int:
        return sum(len(g.items) for g in self.groups)


@dataclass(frozen=True)
class Digest:
    title: str
    generated_at: str  # ISO UTC
    today: str  # ISO date in China
    scope: str  # "events since …" / "events not yet delivered to team-mail"
    sections: tuple[Section, ...]
    problems: tuple[SourceProblem, ...]
    event_ids: tuple[int, ...]
    closing_soon_days: int

    @property
    def counts(self) -> dict[str, int]:
        out = {s.key: s.count for s in self.sections}
        if self.problems:
            out["problems"] = len({p.source_id for p in self.problems})
        return out

    @property
    def is_empty(self) -> bool:
        return not self.sections and not self.problems

    @property
    def reports_events(self) -> bool:
        """Whether any event is shown (not only closing windows and problems)."""
        return any(s.key != "closing_soon" for s in self.sections)

    @property
    def first_event_id(self) -> int | None:
        return min(self.event_ids) if self.event_ids else None

    @property
    def last_event_id(self) -> int | None:
        return max(self.event_ids) if self.event_ids else None

    def section(self, key: str) -> Section | None:
        return next((s for s in self.sections if s.key == key), None)

    def headline(self) -> str:
        """One line: '1 withdrawn while open · 3 new · 1 changed · 2 closing soon · 1 source with problems'."""
        if self.is_empty:
            return "Nothing new: no events, no windows closing soon, no source problems."
        words = {"withdrawn": "withdrawn while open", "new": "new", "changed": "changed",
                 "closing_soon": "closing soon", "removed": "removed/restored/moved"}
        parts = [f"{s.count} {words[s.key]}" for s in self.sections]
        if self.problems:
            n = self.counts["problems"]
            parts.append(f"{n} source{'s' if n != 1 else ''} with problems")
        return " · ".join(parts)


def build_digest(
    events: Sequence[Event],
    notices: Iterable[StoredNotice],
    now: datetime,
    *,
    source_names: Mapping[str, str] | None = None,
    problems: Sequence[SourceProblem] = (),
    closing_soon_days: int = 3,
    title: str = "noticewatch digest",
    scope: str = "",
    doc_types: Collection[str] | None = None,
) -> Digest:
    """Assemble the digest. `notices` must include every notice the events name (and the ones whose
    windows may be closing); `now` is aware (UTC or any zone). With `doc_types`, only notices of
    those document types are reported (monitor/config/digest.py: what users watch); the events of
    the others still count as considered (`event_ids`), so they are not offered again."""
    today = china_today(now)
    names = dict(source_names or {})
    by_id = {n.id: n for n in notices}
    if doc_types is not None:
        wanted = set(doc_types)
        by_id = {i: n for i, n in by_id.items() if n.notice.doc_type in wanted}
        considered = events
        events = [e for e in events if e.notice_id in by_id]
    else:
        considered = events

    def ref(stored: StoredNotice) -> NoticeRef:
        return notice_ref(stored, names.get(stored.notice.source_id or "", ""), today, closing_soon_days)

    buckets: dict[str, list[Item]] = {key: [] for key in SECTION_ORDER}
    for event in sorted(events, key=lambda e: e.id):
        stored = by_id.get(event.notice_id)
        if stored is None:  # cannot happen with a consistent store; keep the event visible anyway
            stored = StoredNotice(event.notice_id, Notice(title=event.summary, url=event.url,
                                                          source_id=event.source_id), "active", "", "", 1)
        item = event_item(event, ref(stored))
        key = "withdrawn" if event.kind == "removed" and event.window_open else event.kind
        buckets["removed" if key in ("restored", "moved") else key].append(item)
    for stored in by_id.values():
        if stored.status == "active":
            notice_ref_ = ref(stored)
            if notice_ref_.window_status in ("open", "closing soon") and notice_ref_.days_left is not None \
                    and notice_ref_.days_left <= closing_soon_days:
                buckets["closing_soon"].append(Item("closing_soon", notice_ref_))
    buckets["closing_soon"].sort(key=lambda i: (i.notice.disclosure_end or "", i.notice.id))
    sections = tuple(
        Section(key, SECTION_TITLES[key], group_by_source(items))
        for key, items in buckets.items()
        if items
    )
    return Digest(
        title=title,
        generated_at=now.astimezone(ZoneInfo("UTC")).isoformat(timespec="seconds"),
        today=today.isoformat(),
        scope=scope,
        sections=sections,
        problems=tuple(problems),
        event_ids=tuple(sorted(e.id for e in considered)),
        closing_soon_days=closing_soon_days,
    )


def notice_ref(stored: StoredNotice, source_name: str, today: date, closing_soon_days: int) -> NoticeRef:
    n = stored.notice
    status, words, days = window_words(n, today, closing_soon_days)
    return NoticeRef(
        id=stored.id, title=n.title or n.url or "(untitled)", url=n.url or "", source_id=n.source_id or "",
        source_name=source_name or n.source_id or "", status=stored.status, doc_type=n.doc_type,
        published_at=n.published_at, inspection_level=n.inspection_level, inspection_round=n.inspection_round,
        inspection_team=n.inspection_team, inspected_org=n.inspected_org, disclosure_start=n.disclosure_start,
        disclosure_end=n.disclosure_end, window_status=status, window_text=words, days_left=days,
        phones=tuple(n.phones), emails=tuple(n.emails), postal_address=n.postal_address, postcode=n.postcode,
    )


def event_item(event: Event, ref: NoticeRef) -> Item:
    changes = tuple(
        ChangeLine(c.get("field", ""), field_label(c.get("field", "")), c.get("old"), c.get("new"),
                   describe_change(c.get("field", ""), c.get("old"), c.get("new")))
        for c in event.changes
    )
    return Item(kind=event.kind, notice=ref, event_id=event.id, detected_at=event.detected_at,
                summary=event.summary, note=_note(event), changes=changes, diff=diff_segments(event.diff),
                window_open=event.window_open)


def group_by_source(items: Sequence[Item]) -> tuple[SourceGroup, ...]:
    """Groups in order of source name, items in their given order."""
    groups: dict[str, list[Item]] = {}
    for item in items:
        groups.setdefault(item.notice.source_id, []).append(item)
    ordered = sorted(groups.items(), key=lambda kv: (kv[1][0].notice.source_name, kv[0]))
    return tuple(SourceGroup(sid, its[0].notice.source_name, tuple(its)) for sid, its in ordered)


def state_key(digest: Digest) -> str:
    """A fingerprint of the digest's state sections (windows closing soon, source problems).

    A digest with no events whose state key equals the last delivered one tells the reader nothing
    new, so it is not sent again; a newly broken source or a newly closing window is."""
    closing = digest.section("closing_soon")
    state = {
        "closing": [[i.notice.id, i.notice.disclosure_end, i.notice.days_left] for g in
                    (closing.groups if closing else ()) for i in g.items],
        "problems": sorted([p.source_id, p.kind] for p in digest.problems),
    }
    return hashlib.sha256(json.dumps(state, sort_keys=True).encode()).hexdigest()


def _note(event: Event) -> str:
    """Why a removal was declared, from the store's summary: '3 failed fetches, last: HTTP 404'."""
    match = _REMOVAL.search(event.summary or "") if event.kind == "removed" else None
    return match[1] if match else ""


_REMOVAL = re.compile(r"\((\d+ failed fetch(?:es)?, last: .*?)\)(?= while|$)")
