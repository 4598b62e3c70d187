"""The notice's dates: inspection period, feedback date, public-comment (disclosure) window.

Input is width-folded, simplified text. A window that the text does not state stays ``None``: users
act on disclosure_end, so an invented one is worse than none (../shared/DESIGN.md).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from .dates import find_mentions, find_ranges, resolve, to_date

_FEEDBACK_RE = re.compile(r"反馈了?(?:巡视|巡察)?(?:意见|情况)|反馈了?(?:巡视|巡察)问题")
_WINDOW_LABEL_RE = re.compile(
    r"(?:公开期限|公开时间|公开期|公示期限|公示时间|公示期|受理时间|受理期限|反映时间|意见反馈时间|征求意见时间|监督时间)"
    r"\s*(?:为|是|自)?\s*[::]?"
)
_FROM_TODAY_RE = re.compile(r"(?:自|从)?(?:即日|公布之日|发布之日|公开之日)起?\s*(?:至|到)\s*")
_SENTENCE_END = re.compile(r"[。;\n]")


@dataclass(frozen=True)
class Timeline:
    inspection_start: str | None = None
    inspection_end: str | None = None
    feedback_date: str | None = None
    disclosure_start: str | None = None
    disclosure_end: str | None = None


def _sentence_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    before = max((m.end() for m in _SENTENCE_END.finditer(text, 0, start)), default=0)
    after = _SENTENCE_END.search(text, end)
    return before, after.start() if after else len(text)


def find_inspection_period(text: str, clause_span: tuple[int, int] | None) -> tuple[str | None, str | None]:
    """The period in the sentence of the opening clause ("2023年4月24日至7月26日,省委第十一巡视组对…")."""
    if clause_span is None:
        return None, None
    lo, hi = _sentence_bounds(text, *clause_span)
    ranges = find_ranges(text[lo:hi])
    return (ranges[0].start, ranges[0].end) if ranges else (None, None)


def _year_anchor(text: str) -> dt.date | None:
    """The last explicitly-dated year before this point: context for "9月13日,市委巡察组…反馈"."""
    years = [m.year for m in find_mentions(text) if m.year]
    return dt.date(years[-1], 1, 1) if years else None


def find_feedback_date(text: str, intro_end: int, inspection_end: str | None) -> str | None:
    """The date in the sentence that says feedback was given, ignoring the inspection period there."""
    for m in _FEEDBACK_RE.finditer(text, 0, intro_end):
        lo, _ = _sentence_bounds(text, m.start(), m.start())
        segment = text[lo : m.start()]
        in_range = [r.span for r in find_ranges(segment)]
        singles = [d for d in find_mentions(segment) if not any(a <= d.start < b for a, b in in_range)]
        if not singles:
            continue
        anchor = to_date(inspection_end) or _year_anchor(text[:lo])
        day = resolve(singles[-1], anchor)
        return day.isoformat() if day else None
    return None


def find_disclosure_window(text: str, published: str | None) -> tuple[str | None, str | None]:
    """The stated comment window: after a label (公开期限:…), else a range in the feedback paragraph."""
    anchor = to_date(published)
    for label in _WINDOW_LABEL_RE.finditer(text):
        snippet = text[label.end() : label.end() + 60]
        window = _window_in(snippet, anchor or _year_anchor(text[: label.start()]), published, near=12)
        if window != (None, None):
            return window
    for line in text.splitlines():
        if "欢迎" in line and ("监督" in line or "意见" in line):
            window = _window_in(line, anchor or _year_anchor(text), published, near=len(line))
            if window != (None, None):
                return window
    return None, None


def _window_in(
    snippet: str, anchor: dt.date | None, published: str | None, *, near: int
) -> tuple[str | None, str | None]:
    """The window at the start of `snippet` (a range within `near` characters, or "即日起至…")."""
    today = _FROM_TODAY_RE.match(snippet.lstrip())
    if today:
        # "即日起至10月25日": the start is the day of publication — stated, if we know it.
        rest = snippet.lstrip()[today.end() :]
        ends = find_mentions(rest[:20])
        end = resolve(ends[0], anchor, as_end=True) if ends and ends[0].start == 0 else None
        return (published if end else None), (end.isoformat() if end else None)
    ranges = find_ranges(snippet, anchor)
    if ranges and ranges[0].span[0] <= near:
        return ranges[0].start, ranges[0].end
    return None, None


def find_timeline(text: str, clause_span: tuple[int, int] | None, published: str | None) -> Timeline:
    start, end = find_inspection_period(text, clause_span)
    intro_end = max(clause_span[1] + 400 if clause_span else 0, min(len(text), 800))
    feedback = find_feedback_date(text, intro_end, end)
    window_start, window_end = find_disclosure_window(text, published)
    return Timeline(start, end, feedback, window_start, window_end)
