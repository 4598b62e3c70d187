"""Dates in notice text: single dates, ranges, implicit years, 上旬/中旬/下旬, Chinese numerals.

Everything returns ISO ``YYYY-MM-DD`` strings or ``None``. Input is expected width-folded (NFKC), so
digits are ASCII; Chinese-numeral dates (二〇二四年九月二十六日) are converted here, and cn2an is applied
only to the numeral spans these regexes matched (cn2an mangles ordinary words: 统一 → 统1).
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass

_YEAR_DIGITS = {
    "〇": 0,
    "○": 0,
    "零": 0,
    "一": 1,
    "二": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_YEAR = r"(?P<{p}y>\d{{4}}|[〇○零一二三四五六七八九]{{4}})\s*年"
_MONTH = r"(?P<{p}m>1[0-2]|0?[1-9]|十[一二]?|[一二三四五六七八九])\s*月"
_DAY_NUM = r"(?P<{p}d>3[01]|[12]\d|0?[1-9]|三十一?|二十[一二三四五六七八九]?|十[一二三四五六七八九]?|[一二三四五六七八九])"
# A day needs 日/号, except in truncated real text ("2023年9月15") where punctuation follows.
# Or, in mangled text, right before a name ("至2022年11月15市委第三巡察组"): any character that does not
# go on with a number, a unit or a count.
_DAY = _DAY_NUM + r"\s*(?:日|号|(?=[\s,,。;;、)\)至到起—–~～-]|$)|(?=[\u4e00-\u9fff])(?![日号旬个天年月人次项件名家期周批轮届多余左]))"
_PART = r"(?P<{p}x>[上中下]旬|初|底|末)"
# "2025年1021日": a dropped 月; "20251021日", "2022324日": 年 and 月 both dropped.
_GLUED = r"(?P<{p}gy>(?:19|20|21)\d{{2}})\s*年?\s*(?P<{p}gmd>\d{{3,4}})\s*日"


def _point(p: str) -> str:
    """A date with at least a month: [year] month [day | xun]; or the glued "YYYY年MMDD日" / "MMDD日"."""
    y, m, d, x, g = (s.format(p=p) for s in (_YEAR, _MONTH, _DAY, _PART, _GLUED))
    # "914日,巡察组向…反馈": month and day glued, year left out (mangled text).
    short = rf"(?P<{p}ngmd>\d{{3,4}})\s*日"
    return rf"(?:{g}|{short}|(?:{y}\s*)?{m}\s*(?:{d}|{x})?)"


def _tail(p: str) -> str:
    """The end of a range, which may drop the year or the month: 至10月25日, 至25日, 至6月中旬."""
    y, m, d, x = (s.format(p=p) for s in (_YEAR, _MONTH, _DAY, _PART))
    dd = _DAY_NUM.format(p=p + "o") + r"\s*(?:日|号)"
    xx = _PART.format(p=p + "o")
    # "2023814日至1031县委…": month and day glued, 日 dropped (mangled text).
    gg = rf"(?P<{p}gmd>\d{{3,4}})\s*日?(?!\d)"
    return rf"(?:(?:{y}\s*)?{m}\s*(?:{d}|{x})?|{dd}|{xx}|{gg})"


_NUMERALS = r"[\d〇○零一二三四五六七八九十]"
_POINT_RE = re.compile(rf"(?<!{_NUMERALS})" + _point(""))
_RANGE_RE = re.compile(
    rf"(?<!{_NUMERALS})"
    + _point("s_")
    # "自2024年9月26日起至10月25日止": 起 before the separator, 止 after the end.
    + r"\s*起?\s*(?:截止|截至)?(?:至|到|—{1,2}|–|-|~|～)\s*(?:次年)?\s*"
    + _tail("e_")
)
# Both patterns start with a numeral that does not follow one: a match can only start where a run of
# numerals starts (see `_matches`).
_NUMERAL_RUN = re.compile(rf"{_NUMERALS}+")
_NEXT_CHAR = re.compile(r"\s*(\S?)")  # the first character after any whitespace ("" at the end)
_ISO_RE = re.compile(r"(?<!\d)(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})(?!\d)")
_PART_DAYS = {
    "上旬": (1, 10),
    "初": (1, 10),
    "中旬": (11, 20),
    "下旬": (21, 31),
    "底": (21, 31),
    "末": (21, 31),
}


@dataclass(frozen=True)
class DateMention:
    """One date as written: parts may be missing (implicit year, month-only, xun)."""

    year: int | None
    month: int | None
    day: int | None
    part: str | None
    start: int
    end: int
    # What was odd about how it was written, for the record's warnings ("no 日", "missing 月").
    note: str | None = None
    text: str = ""


@dataclass(frozen=True)
class DateRange:
    start: str | None
    end: str | None
    span: tuple[int, int]
    # Why a bound is null or doubtful: "end before start", notes of the mentions.
    problems: tuple[str, ...] = ()


def _number(text: str | None) -> int | None:
    if not text:
        return None
    if text.isdigit():
        return int(text)
    if len(text) == 4 and all(c in _YEAR_DIGITS for c in text):
        return int("".join(str(_YEAR_DIGITS[c]) for c in text))
    # Imported on first use: cn2an takes ~0.1 s to import, and most pages write their dates in digits.
    from cn2an import cn2an

    try:
        return int(cn2an(text, "smart"))
    except (ValueError, KeyError, TypeError):
        return None


def _split_glued(md: str) -> tuple[int | None, int | None]:
    """'1021' → (10, 21); '926' → (9, 26). Real text drops 月 ("2025年1021日"). A split that is not
    unique ('112': 1月12日 or 11月2日) gives (None, None): the date cannot be read with confidence."""
    splits = []
    for cut in (1, 2):
        month, day = int(md[:cut]), int(md[cut:])
        if 1 <= month <= 12 and 1 <= day <= 31 and len(md[cut:]) <= 2:
            splits.append((month, day))
    return splits[0] if len(splits) == 1 else (None, None)


def _mention(m: re.Match[str], p: str) -> DateMention:
    g = m.groupdict()
    text = m[0]
    if g.get(p + "gmd") or g.get(p + "ngmd"):
        month, day = _split_glued(g.get(p + "gmd") or g[p + "ngmd"])
        note = "missing 月" if month else "ambiguous (missing 月)"
        return DateMention(_number(g.get(p + "gy")), month, day, None, m.start(), m.end(), note, text)
    day_text = g.get(p + "d") or g.get(p + "od")
    note = None
    if g.get(p + "d") and _NEXT_CHAR.match(m.string, m.end(p + "d"))[1] not in ("日", "号"):
        note = "no 日 (truncated?)"
    return DateMention(
        _number(g.get(p + "y")),
        _number(g.get(p + "m")),
        _number(day_text),
        g.get(p + "x") or g.get(p + "ox"),
        m.start(),
        m.end(),
        note,
        text,
    )


def _matches(pattern: re.Pattern[str], text: str) -> Iterator[re.Match[str]]:
    """`pattern.finditer(text)` for _POINT_RE and _RANGE_RE, trying only the positions where a run of
    numerals starts: the regex engine would otherwise try every branch at every character."""
    end = 0
    for run in _NUMERAL_RUN.finditer(text):
        at = run.start()
        if at >= end:
            m = pattern.match(text, at)
            if m:
                yield m
                end = m.end()


def find_mentions(text: str) -> list[DateMention]:
    """Every date-like mention (at least a month) in reading order."""
    return [_mention(m, "") for m in _matches(_POINT_RE, text)]


def _last_day(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


def resolve(
    mention: DateMention,
    anchor: dt.date | None = None,
    *,
    as_end: bool | None = None,
    month: int | None = None,
    nearest: bool = False,
) -> dt.date | None:
    """A mention → a date. The year/month, if missing, come from `anchor`/`month`.

    Without a year, a date that would fall before the anchor moves to the next year (a range
    12月20日至1月18日 ends in the next year) — unless its month is inherited too ("9月26日至20日" is
    a broken range, not one that ends a year later). With `nearest`, the year is the one that puts the
    date closest to the anchor: a window "9月26日至…" on a page published 9月27日 starts in that year.
    Day-less mentions are only dates as a period bound: start → first day, end → last day."""
    mon = mention.month or month or (anchor.month if anchor and mention.month is None else None)
    if mon is None or not 1 <= mon <= 12:
        return None
    year = mention.year or (anchor.year if anchor else None)
    if year is None or not 1949 <= year <= 2199:
        return None
    day = _day_of(mention, year, mon, as_end)
    if day is None:
        return None
    try:
        found = dt.date(year, mon, day)
    except ValueError:
        return None
    if mention.year is None and anchor:
        if nearest:
            options = [found, _next_year(found), _shift_year(found, -1)]
            found = min(options, key=lambda d: abs((d - anchor).days))
        elif found < anchor and mention.month is not None:
            found = _next_year(found)
    return found


def _day_of(mention: DateMention, year: int, month: int, as_end: bool | None) -> int | None:
    if mention.day is not None:
        return mention.day
    if as_end is None:
        return None
    if mention.part:
        first, last = _PART_DAYS[mention.part]
        return min(last, _last_day(year, month)) if as_end else first
    return _last_day(year, month) if as_end else 1


def _next_year(day: dt.date) -> dt.date:
    return _shift_year(day, 1)


def _shift_year(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 Feb
        return day.replace(year=day.year + years, day=28)


def find_ranges(text: str, anchor: dt.date | None = None, *, nearest: bool = False) -> list[DateRange]:
    """Every "X至Y" period in `text`. The end inherits year and month from the start as needed.

    An end that still falls before its start is not a date anyone can act on: it becomes None and
    the range says why in `problems`."""
    out = []
    for m in _matches(_RANGE_RE, text):
        first, last = _mention(m, "s_"), _mention(m, "e_")
        start = resolve(first, anchor, as_end=False, nearest=nearest)
        end = resolve(last, start or anchor, as_end=True, month=first.month if last.month is None else None)
        problems = [f"{mention.text!r}: {mention.note}" for mention in (first, last) if mention.note]
        if start and end and end < start:
            problems.append(f"{m[0]!r}: end before start")
            end = None
        out.append(DateRange(_iso(start), _iso(end), m.span(), tuple(problems)))
    return out


def find_range(text: str, anchor: dt.date | None = None) -> tuple[str | None, str | None]:
    ranges = find_ranges(text, anchor)
    return (ranges[0].start, ranges[0].end) if ranges else (None, None)


def parse_date(text: str, anchor: dt.date | None = None) -> str | None:
    """The first complete date in `text`: ISO-like (2024-09-26 11:00, 2024/9/26) or Chinese."""
    if not text:
        return None
    iso = _ISO_RE.search(text)
    for m in _matches(_POINT_RE, text):
        if iso and iso.start() <= m.start():
            break
        day = resolve(_mention(m, ""), anchor)
        if day:
            return day.isoformat()
    if iso:
        try:
            return dt.date(int(iso[1]), int(iso[2]), int(iso[3])).isoformat()
        except ValueError:
            return None
    return None


def to_date(iso: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(iso) if iso else None
    except ValueError:
        return None


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None
