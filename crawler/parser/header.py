"""The article header: breadcrumb, title, "来源:南粤清风网 日期:2024-09-26 11:00:00", 【打印】.

Saved pages and plain-text copies carry this block above the body; it is not notice content and must
not reach body_text (a view counter or a re-dated header would look like an edit).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .dates import parse_date
from .text import close_cjk_gaps, fold_width, is_chrome_line, strip_pinyin, to_simplified

_BREADCRUMB_RE = re.compile(
    r"^(?:所在位置|当前位置|您的位置|您现在的位置|您当前的位置|位置)\s*[::]|^首页\s*[>>»/]|(?:\s[>>»]\s.*){2,}"
)
# Its first two branches: without a ">" or "»" in the line, only these can match (and fail fast,
# while the third would be tried at every position of a long paragraph).
_BREADCRUMB_HEAD_RE = re.compile(r"(?:所在位置|当前位置|您的位置|您现在的位置|您当前的位置|位置)\s*[::]|首页\s*[>>»/]")
_SEPARATOR_RE = re.compile(r"^[-—=_*·~]{2,}$")
# Bare 日期/时间 must not follow a CJK character, so "公开时间:" in the body is not a publication date.
_DATE_LABEL_RE = re.compile(
    r"(?:发布时间|发布日期|发文日期|更新时间|出版日期|刊发日期|发稿时间|发表时间|撰写时间|(?<![\u4e00-\u9fff])(?:日期|时间))\s*[::]\s*(?P<date>[^\s【]{0,6}\s?[^【]{0,24})"
)
_SOURCE_RE = re.compile(
    r"(?<![\u4e00-\u9fff])(?:信息来源|文章来源|来源)\s*[::]\s*(?P<source>[^\s【|]+?)(?=\s|【|\||发布|日期|时间|作者|$)"
)
_META_LINE_RE = re.compile(
    r"^(?:信息来源|文章来源|来源|发布时间|发布日期|出版日期|刊发日期|发表时间|撰写时间|发布人|文章作者|日期|时间|作者|字号|(?:浏览|点击|访问|阅读)(?:次数|数|量)?)\s*[::]"
)
# "中国证券报 2023-02-22", "2024-09-26 11:00 来源:…": a publisher's name and a date, nothing else.
_NAMED_DATE_RE = re.compile(
    r"^(?:[\u4e00-\u9fff]{2,16}\s+)?(?:\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{4}年\d{1,2}月\d{1,2}日)(?:\s*\d{1,2}:\d{2}(?::\d{2})?)?"
    r"(?:\s+[\u4e00-\u9fff]{2,16}|\s*(?:信息来源|来源)\s*[::].{0,40})?$"
)
# "…整改进展情况的通报 2026-02-13": a title with its date on the same line.
_TITLE_DATE_RE = re.compile(r"^(?P<title>.{6,80}?)\s+(?P<date>\d{4}[-/.]\d{1,2}[-/.]\d{1,2})$")
_TITLE_END_RE = re.compile(r"(?:通报|公告|公示|报告|情况|通知|决定|意见)$")
_ANY_ISO_RE = re.compile(r"\d{4}[-/.]\d{1,2}[-/.]\d{1,2}")
_TITLE_HINT_RE = re.compile(r"通报|公告|公示|报告|情况|关于|巡视|巡察")
_NOT_TITLE_RE = re.compile(
    r"^(?:[一二三四五六七八九十]+、|[((][一二三四五六七八九十\d]+[))]|\d+[.、])|[::,,。;;]$"
)
_MAX_HEADER_LINES = 12
# A headline without title words: 8+ characters, no spaces, not starting with a date (a speech's
# "2018年11月22日在…会议上" line), not a caption.
_HEADLINE_RE = re.compile(r"^(?!\d{4}年\d{1,2}月)(?!.*\s)[^\s]{4,60}$")
_ORG_LINE_RE = re.compile(r"(?:党组|党委|党工委|工委|[省市县区]委|委员会|党支部|党总支|[黨][組委])$")


@dataclass(frozen=True)
class Header:
    title: str | None
    published_at: str | None
    source_name: str | None
    body: list[str]


def is_meta_line(line: str) -> bool:
    return _is_meta(fold_width(line))


# Any short "label: value" line in the header ("责编:郭惠红", "审核:张三").
_LABEL_VALUE_RE = re.compile(
    r"^(?:责编|责任编辑|编辑|审核|审校|校对|终审|初审|复审|作者|记者|通讯员|摄影|供稿|撰稿|出处)\s*:\s*[^\s:]{1,20}$"
)


def _is_meta(folded: str) -> bool:
    return (
        bool(_META_LINE_RE.match(folded))
        or (len(folded) <= 30 and bool(_LABEL_VALUE_RE.match(folded)))
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
        if _is_meta(line) and (_ANY_ISO_RE.search(line) or "年" in line):
            day = parse_date(line)
            if day:
                return day
    return None


# Characters of traditional-script header labels and title words: only lines with one are simplified
# (t2s on every short line of every page costs more than the rest of the header).
_TRADITIONAL_HINT = re.compile("[發時間來編閱點擊瀏覽報導訊題據關於視組通書屬記黨屆輪進]")


def _header_form(line: str) -> str:
    """Width-folded and, for the short lines of a header, simplified (發布時間 → 发布时间)."""
    folded = strip_pinyin(fold_width(line))
    if len(folded) > 120:
        return folded
    folded = close_cjk_gaps(folded)
    return to_simplified(folded) if _TRADITIONAL_HINT.search(folded) else folded


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


def _whole_title(lines: list[str], at: int) -> tuple[str, int]:
    """The title at `at`, joined with the line before or after when it was set on two lines
    ("中共山东省作家协会党组" / "关于…的通报", "…党组关于第十四届" / "县委机动巡察整改进展情况的通报");
    also the index just past it."""
    def ends(line: str) -> bool:
        return bool(_TITLE_END_RE.search(_header_form(line)))

    def short(line: str) -> bool:
        return len(line) <= 60 and "。" not in line and not _NOT_TITLE_RE.search(fold_width(line))

    title = lines[at]
    if at >= 1 and not ends(lines[at - 1]) and short(lines[at - 1]) and _header_form(title).startswith("关于"):
        if _ORG_LINE_RE.search(_header_form(lines[at - 1])):
            return lines[at - 1] + title, at + 1
    after = lines[at + 1] if at + 1 < len(lines) else ""
    if not ends(title) and after and short(after) and ends(after) and not _is_meta(_header_form(after)):
        return title + after, at + 2
    return title, at + 1


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
                # The nearest candidate with title words, else the nearest ("金华市农业农村局" between
                # a title and its date is the publisher, not the title).
                hinted = [c for c in candidates if _TITLE_HINT_RE.search(_header_form(lines[c]))]
                title_at = (hinted or candidates)[-1]
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
        # Plain text starts with its title (a subtitle may follow): the first candidate, when one of
        # them has title words or it reads as a headline.
        first = _header_form(lines[candidates[0]])
        if any(_TITLE_HINT_RE.search(_header_form(lines[i])) for i in candidates) or (
            candidates[0] == 0 and len(lines) > 1 and _HEADLINE_RE.match(first)
        ):
            title_at = candidates[0]
            cut = max(cut, candidates[-1] + 1)
    header = lines[:cut]
    title = None
    dated = None
    # The loop stops at the first body line, so a candidate here sits in the header zone.
    if title_at is not None:
        title = lines[title_at]
        cut = max(cut, title_at + 1)
        if known_title is None:
            title, used = _whole_title(lines, title_at)
            cut = max(cut, used)
            m = _TITLE_DATE_RE.match(title)
            if m:
                title, dated = m["title"], parse_date(m["date"])
    return Header(
        title if known_title is None else None,
        find_header_date(header) or dated,
        find_header_source(header),
        lines[cut:],
    )
