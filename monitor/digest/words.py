"""Words for digests: field changes a person can read, window status, the diff excerpt as segments.

Pure functions; shared by the builder (monitor/digest/build.py) and every renderer.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from crawler.notice import Notice
from monitor.window import window_status

# How a field is named in a digest (the JSON keeps the field name too).
FIELD_LABELS = {
    "doc_type": "document type",
    "title": "title",
    "published_at": "publication date",
    "script": "script",
    "inspection_level": "inspection level",
    "inspection_kind": "inspection kind",
    "inspection_round": "inspection round",
    "inspection_team": "inspection team",
    "inspected_org": "inspected organisation",
    "inspection_start": "inspection start",
    "inspection_end": "inspection end",
    "feedback_date": "feedback date",
    "disclosure_start": "comment window opens",
    "disclosure_end": "comment window closes",
    "phones": "phone numbers",
    "emails": "e-mail addresses",
    "postal_address": "postal address",
    "postcode": "postcode",
    "signer": "signed by",
    "signed_date": "signing date",
    "disclosure_basis": "how the window end was stated",
    "outline": "section headings",
    "item_count": "number of rectification items",
    "url": "address",
}
DATE_FIELDS = frozenset({"published_at", "inspection_start", "inspection_end", "feedback_date",
                         "disclosure_start", "disclosure_end", "signed_date"})
WINDOW_FIELDS = frozenset({"disclosure_start", "disclosure_end"})


def field_label(name: str) -> str:
    return FIELD_LABELS.get(name, name.replace("_", " "))


def describe_change(name: str, old: Any, new: Any) -> str:
    """'comment window closes: 2024-10-25 → 2024-11-08 (14 days later)',
    'phone numbers: added 0756-1; removed 0756-2', 'signed by: (none) → 中共珠海市委'."""
    label = field_label(name)
    if isinstance(old, list | tuple) or isinstance(new, list | tuple):
        before, after = list(old or ()), list(new or ())
        added = [v for v in after if v not in before]
        removed = [v for v in before if v not in after]
        parts = ([f"added {', '.join(map(str, added))}"] if added else []) + (
            [f"removed {', '.join(map(str, removed))}"] if removed else [])
        return f"{label}: {'; '.join(parts) or 'reordered'}"
    text = f"{label}: {_show(old)} → {_show(new)}"
    if name in DATE_FIELDS:
        shift = _days_between(old, new)
        if shift:
            text += f" ({abs(shift)} day{'s' if abs(shift) != 1 else ''} {'later' if shift > 0 else 'earlier'})"
    return text


def window_words(notice: Notice, today: date, closing_soon_days: int) -> tuple[str, str, int | None]:
    """(status, words, days left): ('open', 'open, closes in 3 days (2024-10-25)', 3)."""
    status = window_status(notice, today, closing_soon_days)
    end = as_date(notice.disclosure_end)
    start = as_date(notice.disclosure_start)
    if status == "unknown" or end is None:
        return "unknown", "no comment window stated", None
    days = (end - today).days
    if status == "upcoming" and start is not None:
        wait = (start - today).days
        return status, f"opens in {wait} day{'s' if wait != 1 else ''} ({start} → {end})", days
    if status == "closed":
        return status, f"closed on {end}", days
    when = {0: "closes today", 1: "closes tomorrow"}.get(days, f"closes in {days} days")
    return status, f"open, {when} ({end})", days


_MARK = re.compile(r"\[-(.*?)(?:-\]|$)|\{\+(.*?)(?:\+\}|$)", re.S)


def diff_segments(diff: str) -> tuple[tuple[str, str], ...]:
    """'…至1[-0月25-]{+1月8+}日。…' → (('same', '…至1'), ('del', '0月25'), ('ins', '1月8'), ('same', '日。…')).

    Tolerates an excerpt cut inside a marker (monitor.changes truncates at 400 characters)."""
    out: list[tuple[str, str]] = []
    pos = 0
    for match in _MARK.finditer(diff):
        if match.start() > pos:
            out.append(("same", diff[pos:match.start()]))
        if match.group(1) is not None:
            out.append(("del", match.group(1)))
        else:
            out.append(("ins", match.group(2)))
        pos = match.end()
    if pos < len(diff):
        out.append(("same", diff[pos:]))
    return tuple((op, text) for op, text in out if text)


def as_date(value: Any) -> date | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def _days_between(old: Any, new: Any) -> int | None:
    a, b = as_date(old), as_date(new)
    return (b - a).days if a and b else None


def _show(value: Any) -> str:
    return "(none)" if value in (None, "") else str(value)
