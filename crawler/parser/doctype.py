"""Is this page a rectification notice, news about inspections, or something else?

A notice is the inspected organisation speaking for itself: its opening paragraph ends "现将巡视整改进展
情况予以公布" (or "报告如下"), its title is "…整改进展情况的通报", it closes with a feedback-contact
paragraph. News reports *about* inspections often quote a notice, so quoted text does not count, and
a notice's formula only counts in its opening lines.
"""

from __future__ import annotations

import re

_INTRO_RE = re.compile(
    r"现将(?:[^。]{0,20}?)(?:巡视|巡察)?(?:整改|集中整改)(?:落实)?(?:进展)?(?:情况|工作情况)?"
    r"(?:予以公布|予以公开|公布如下|报告如下|通报如下|公告如下|予以通报)"
)
_TITLE_RE = re.compile(
    r"(?:巡视|巡察)?整改(?:落实)?(?:进展)?(?:工作)?情况的?(?:通报|公告|公示|报告)$|整改进展情况"
)
_CONTACT_RE = re.compile(r"欢迎[^。]{0,20}(?:对|就)[^。]{0,20}整改[^。]{0,20}(?:监督|意见|建议)")
_NEWS_LEAD_RE = re.compile(
    r"^(?:[((]?本报讯|[((]?记者|新华社|[^。]{0,20}讯[((\s]|[^。]{0,12}电[((]|近日|日前|连日来|\d{1,2}月\d{1,2}日[,,上下]?)"
)
_NEWS_TITLE_RE = re.compile(
    r"反馈(?:巡视|巡察)|召开|会议|动员|进驻|通报(?:\d|[一二三四五六七八九十])|公开曝光|答记者问|发布会"
)
_QUOTED_RE = re.compile(r"“[^”]*”|「[^」]*」|‘[^’]*’|『[^』]*』|\"[^\"]*\"")
_INSPECTION_RE = re.compile(r"巡视|巡察")


def strip_quotes(text: str) -> str:
    """Remove quoted speech, so a report quoting a notice does not read as one."""
    return _QUOTED_RE.sub("", text)


def classify(title: str | None, body: str) -> str:
    """'rectification_notice', 'news' or 'other' for width-folded, simplified title and body."""
    title = title or ""
    opening = strip_quotes(body[:500])
    news_lead = bool(_NEWS_LEAD_RE.match(body.lstrip())) or bool(_NEWS_TITLE_RE.search(title))
    if _INTRO_RE.search(opening):
        return "rectification_notice"
    if not news_lead:
        closing = strip_quotes(body[-800:])
        if _TITLE_RE.search(title) and _INSPECTION_RE.search(title + body[:500]):
            return "rectification_notice"
        if _CONTACT_RE.search(closing) and _INSPECTION_RE.search(body[:500]):
            return "rectification_notice"
    if _INSPECTION_RE.search(title) or len(_INSPECTION_RE.findall(body)) >= 2:
        return "news"
    return "other"
