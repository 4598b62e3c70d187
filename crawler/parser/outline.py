"""The body's numbered structure (一、/(一)/1./一是) and the count of rectification items.

Notices are written to a fixed outline: "一、…履行整改主体责任情况", "二、…整改任务落实情况" with
"(一)关于…方面" topics, "1." items and "一是…" measures. The outline lets a later diff name the
section that changed; the item count is the number of "1." items (else "(一)" topics) under the
整改任务落实情况 section. Input is width-folded, simplified text, one paragraph a line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_CN = r"[一二三四五六七八九十]{1,3}"
_LEVELS = (
    (1, re.compile(rf"^(?P<n>{_CN})\s*[、.]\s*(?P<rest>\S.*)")),
    (2, re.compile(rf"^[((]\s*(?P<n>{_CN})\s*[))]\s*(?P<rest>\S.*)")),
    (3, re.compile(r"^(?P<n>\d{1,2})\s*(?:[、]|\.(?!\d))\s*(?P<rest>[^\d\s].*)")),
    (4, re.compile(rf"^(?P<n>{_CN})是\s*(?P<rest>\S.*)")),
)
# Where a heading ends when the paragraph goes on: the first full stop (or colon).
_HEADING_END = re.compile(r"[。::;]")
_MAX_HEADING = 60
_ITEMS_SECTION = re.compile(r"整改(?:任务)?(?:的)?落实|问题(?:的)?整改|整改任务|反馈(?:意见|问题)(?:的)?整改")
_NOT_ITEMS_SECTION = re.compile(r"主体责任|下一步")

# The patterns a paragraph can match, by its first character (each pattern's first character is
# fixed: a numeral for 1 and 4, a bracket for 2, an ASCII digit for 3), in the order they are tried.
_BY_FIRST = {
    **dict.fromkeys("一二三四五六七八九十", (_LEVELS[0], _LEVELS[3])),
    **dict.fromkeys("((", (_LEVELS[1],)),
    **dict.fromkeys("0123456789", (_LEVELS[2],)),
}
Entry = tuple[int, str, str]  # (level, number as written, heading), internal
_MARKERS = {1: "{n}、", 2: "({n})", 3: "{n}.", 4: "{n}是"}
_LEVEL_OF = (
    (1, re.compile(rf"^{_CN}、")),
    (2, re.compile(rf"^\({_CN}\)")),
    (3, re.compile(r"^\d{1,2}\.")),
    (4, re.compile(rf"^{_CN}是")),
)


@dataclass(frozen=True)
class Outline:
    entries: tuple[Entry, ...] = ()
    item_count: int | None = None

    @property
    def headings(self) -> tuple[str, ...]:
        """The record's shape: each heading with a normalised marker, "一、…", "(一)…", "1.…", "一是…"."""
        return tuple(_MARKERS[level].format(n=n) + heading for level, n, heading in self.entries)


def outline_level(heading: str) -> int | None:
    """1 for "一、…", 2 for "(一)…", 3 for "1.…", 4 for "一是…" (the `Notice.outline` strings)."""
    return next((level for level, pattern in _LEVEL_OF if pattern.match(heading)), None)


def heading_of(rest: str) -> str:
    end = _HEADING_END.search(rest)
    heading = rest[: end.start()] if end else rest
    return heading.strip()[:_MAX_HEADING]


def find_entries(lines: list[str]) -> tuple[Entry, ...]:
    """(level, number as written, heading) for each numbered paragraph, in reading order."""
    out: list[Entry] = []
    for line in lines:
        line = line.strip()
        levels = _BY_FIRST.get(line[0]) if line else None
        if not levels:
            continue
        for level, pattern in levels:
            m = pattern.match(line)
            if m:
                heading = heading_of(m["rest"])
                if heading:
                    out.append((level, m["n"], heading))
                break
    return tuple(out)


def _sections(entries: tuple[Entry, ...]) -> list[tuple[Entry, list[Entry]]]:
    out: list[tuple[Entry, list[Entry]]] = []
    for entry in entries:
        if entry[0] == 1:
            out.append((entry, []))
        elif out:
            out[-1][1].append(entry)
    return out


def _items_in(section: list[Entry]) -> int | None:
    for wanted in (3, 2):
        count = sum(1 for entry in section if entry[0] == wanted)
        if count:
            return count
    return None


def count_items(entries: tuple[Entry, ...]) -> int | None:
    """Items under the 整改任务落实情况-like top section: its "1." entries, else its "(一)" topics.

    A notice that names that section otherwise ("二、聚焦问题逐条逐项真改实改") falls back to the top
    section with the most "1." entries, never the 主体责任 or 下一步 sections."""
    sections = [(head, body) for head, body in _sections(entries) if not _NOT_ITEMS_SECTION.search(head[2])]
    for head, body in sections:
        if _ITEMS_SECTION.search(head[2]):
            return _items_in(body)
    numbered = [body for _, body in sections if any(entry[0] == 3 for entry in body)]
    if numbered:
        return _items_in(max(numbered, key=lambda body: sum(1 for entry in body if entry[0] == 3)))
    return None


def find_outline(lines: list[str]) -> Outline:
    entries = find_entries(lines)
    return Outline(entries, count_items(entries))
