"""The article header: breadcrumb, title, "来源:南粤清风网 日期:2024-09-26 11:00:00", 【打印】.

Saved pages and plain-text copies carry this block above the body; it is not notice content and must
not reach body_text (a view counter or a re-dated header would look like an edit).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .dates import parse_date
from .text import fold_width, is_chrome_line, strip_pinyin, to_simplified

_BREADCRUMB_RE = re.compile(
    r"^(?:所在位置|当前位置|您的位置|您现在的位置|您当前的位置|位置)\s*[::]|^首页\s*[>>»/]|(?:\s[>>»]\s.*){2,}"
)
# Its first two branches: without a ">" or "»" in the line, only these can match (and fail fast,
# while the third would be tried at every position of a long paragraph).
_BREADCRUMB_HEAD_RE = re.compile(r"(?:所在位置|当前位置|您的位置|您现在的位置|您当前的位置|位置)\s*[::]|首页\s*[>>»/]")
_SEPARATOR_RE = re.compile(r"^[-—=_*·~]{2,}$")
# Bare 日期/时间 must not follow a CJK character, so "公开时间:" in the body is not a publication date.
_DATE_LABEL_RE = re.compile(
    r"(?:发布时间|发布日期|发文日期|更新时间|出版日期|刊发日期|发稿时间|(?<![\u4e00-\u9fff])(?:日期|时间))\s*[::]\s*(?P<date>[^\s【]{0,6}\s?[^【]{0,24})"
)
_SOURCE_RE = re.compile(
    r"(?<![\u4e00-\u9fff])(?:信息来源|文章来源|来源)\s*[::]\s*(?P<source>[^\s【|]+?)(?=\s|【|\||发布|日期|时间|作者|$)"
)
_META_LINE_RE = re.compile(
    r"^(?:信息来源|文章来源|来源|发布时间|发布日期|出版日期|刊发日期|日期|时间|作者|字号|(?:浏览|点击|访问|阅读)(?:次数|数|量)?)\s*[::]"
)
# "中国证券报 2023-02-22", "2024-09-26 11:00 来源:…": a publisher's name and a date, nothing else.
_NAMED_DATE_RE = re.compile(
    r"^(?:[\u4e00-\u9fff]{2,16}\s+)?\d{4}[-/.]\d{1,2}[-/.]\d{1,2}(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?"
    r"(?:\s+[\u4e00-\u9fff]{2,16}|\s*(?:信息来源|来源)\s*[::].{0,40})?$"
)
_ANY_ISO_RE = re.compile(r"\d{4}[-/.]\d{1,2}[-/.]\d{1,2}")
_TITLE_HINT_RE = re.compile(r"通报|公告|公示|报告|情况|关于|巡视|巡察")
_NOT_TITLE_RE = re.compile(
    r"^(?:[一二三四五六七八九十]+、|[((][一二三四五六七八九十\d]+[))]|\d+[.、])|[::,,。;;]$"
)
_MAX_HEADER_LINES = 12
# A headline without title words: 8+ characters, no spaces, not starting with a date (a speech's
# "2018年11月22日在…会议上" line), not a caption.
_HEADLINE_RE = re.compile(r"^(?!\d{4}年\d{1,2}月)(?!.*\s)[^\s]{8,60}$")


@dataclass(frozen=True)
class Header:
    title: str | None
    published_at: str | None
    source_name: str | None
    body: list[str]


def is_meta_line(line: str) -> bool:
    return _is_meta(fold_width(line))


def _is_meta(folded: str) -> bool:
    return (
        bool(_META_LINE_RE.match(folded))
        or bool(_DATE_LABEL_RE.search(folded) and _SOURCE_RE.search(folded))
        or (len(folded) <= 48 and bool(_NAMED_DATE_RE.match(folded)))
    )


def is_breadcrumb(line: str) -> bool:
    return _is_breadcrumb(fold_width(line))


def _is_breadcrumb(folded: str) -> bool:
    if ">" in folded or "»" in folded:
        crumb = _BREADCRUMB_RE.search(folded)
    else:
        crumb = _BREADCRUMB_HEAD_RE.match(folded)
    return bool(crumb) or bool(_SEPARATOR_RE.match(folded))


def find_header_date(lines: list[str]) -> str | None:
    """The labelled date (发布时间:…), else a bare ISO date on a meta line ("来源:甘肃日报 2016-08-17")."""
    folded = [_header_form(line) for line in lines]
    for line in folded:
        m = _DATE_LABEL_RE.search(line)
        if m:
            day = parse_date(m["date"])
            if day:
                return day
    for line in folded:
        if _is_meta(line) and _ANY_ISO_RE.search(line):
            day = parse_date(line)
            if day:
                return day
    return None


def _header_form(line: str) -> str:
    """Width-folded and, for the short lines of a header, simplified (發布時間 → 发布时间)."""
    folded = strip_pinyin(fold_width(line))
    return to_simplified(folded) if len(folded) <= 120 else folded


def find_header_source(lines: list[str]) -> str | None:
    for line in lines:
        m = _SOURCE_RE.search(fold_width(line))
        if m:
            return m["source"]
    return None


def _is_title_candidate(line: str, folded: str, folded_title: str | None) -> bool:
    if folded_title is not None:
        return folded == folded_title
    # A sentence ("近日,省委第三巡视组向珠海市委反馈巡视情况。…") is body, however short.
    return len(line) <= 80 and not _NOT_TITLE_RE.search(folded) and "。" not in folded


def split_header(lines: list[str], known_title: str | None = None) -> Header:
    """Strip the header block from the top of clean `lines`; the title is found only when known_title is
    None (plain text) and the line looks like one (meta line below it, or title words).

    Saved pages put site furniture above the title ("新华丝路首页", the <title> line, "关怀版 无障碍"):
    a breadcrumb discards the candidates above it, and the title is the candidate nearest the first
    meta line (else the last one with title words). A repeated title line is header too."""
    candidates: list[int] = []
    title_at, meta_seen, cut = None, False, 0
    folded_title = fold_width(known_title) if known_title is not None else None
    for i, line in enumerate(lines[:_MAX_HEADER_LINES]):
        folded = _header_form(line)  # once for the tests below
        if _is_breadcrumb(folded) or is_chrome_line(line):
            cut, candidates = i + 1, []
        elif _is_meta(folded):
            if not meta_seen and candidates and title_at is None:
                title_at = candidates[-1]
            meta_seen, cut = True, i + 1
        elif title_at is not None and line == lines[title_at]:
            cut = i + 1
        elif title_at is None and _is_title_candidate(line, fold_width(line), folded_title):
            candidates.append(i)
            if folded_title is not None:
                title_at = i
        else:
            break
    if title_at is None and candidates and not meta_seen:
        hinted = [i for i in candidates if _TITLE_HINT_RE.search(_header_form(lines[i]))]
        # Plain text starts with its title: a first line that reads as a headline, the body below it.
        if not hinted and candidates == [0] and len(lines) > 1 and _HEADLINE_RE.match(_header_form(lines[0])):
            hinted = [0]
        title_at = hinted[-1] if hinted else None
    header = lines[:cut]
    title = None
    # The loop stops at the first body line, so a candidate here sits in the header zone.
    if title_at is not None:
        title = lines[title_at]
        cut = max(cut, title_at + 1)
    return Header(
        title if known_title is None else None,
        find_header_date(header),
        find_header_source(header),
        lines[cut:],
    )
