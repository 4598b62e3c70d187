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


# A team's arrival announcement: it arrived (进驻) and tells people how to report to it.
_ARRIVAL_RE = re.compile(
    r"(?:巡视|巡察)组?[^。]{0,30}进驻|进驻[^。]{0,30}(?:巡视|巡察)|(?:巡视|巡察)(?:进驻)?公告"
)
_REPORTING_RE = re.compile(
    r"值班电话|举报电话|专门(?:邮政)?信箱|邮政信箱|受理[^。]{0,12}(?:来信|来电|来访|信访|举报)|信访受理|来信来电来访"
)
_FEEDBACK_NEWS_RE = re.compile(
    r"(?:巡视|巡察)(?:组|办)?[^。]{0,40}?(?:向|对)[^。]{0,40}?反馈|反馈(?:巡视|巡察)(?:情况|意见)|(?:巡视|巡察)反馈会"
)


def _paragraphs(body: str, count: int) -> str:
    return "\n".join(body.splitlines()[:count])


def classify(title: str | None, body: str) -> str:
    """The document type of a page, from its width-folded, simplified title and body:

    - 'rectification_notice': the opening formula ("现将巡视整改进展情况予以公布/报告如下") outside
      quotes, or a notice title ("…整改进展情况的通报") / closing feedback paragraph without a news lead;
    - 'inspection_announcement': a team's arrival (进驻, 巡察公告) with its reporting channels
      (值班电话, 邮政信箱, 受理来信来电…), in the title or the opening paragraphs;
    - 'feedback_news': a report that a team gave feedback ("省委第三巡视组向汕头市反馈巡视情况");
    - 'news': other pages about inspections (title, or at least two mentions in the body);
    - 'other'.
    Quoted text never counts, so a news report quoting a notice stays news; and a notice that mentions
    meetings or news stays a notice, because its opening formula is checked first.
    """
    title = title or ""
    opening = strip_quotes(body[:500])
    lead = strip_quotes(_paragraphs(body, 2)[:400])
    news_lead = bool(_NEWS_LEAD_RE.match(body.lstrip())) or bool(_NEWS_TITLE_RE.search(title))
    if _INTRO_RE.search(opening):
        return "rectification_notice"
    notice_title = bool(_TITLE_RE.search(title)) and bool(_INSPECTION_RE.search(title + body[:500]))
    if notice_title and not news_lead:
        return "rectification_notice"
    arrival = _ARRIVAL_RE.search(strip_quotes(title)) or _ARRIVAL_RE.search(lead)
    if arrival and _REPORTING_RE.search(strip_quotes(body[:1500])):
        return "inspection_announcement"
    if _FEEDBACK_NEWS_RE.search(strip_quotes(title)) or (
        not notice_title and _FEEDBACK_NEWS_RE.search(strip_quotes(body.splitlines()[0] if body else ""))
    ):
        return "feedback_news"
    if not news_lead:
        closing = strip_quotes(body[-800:])
        if _CONTACT_RE.search(closing) and _INSPECTION_RE.search(body[:500]):
            return "rectification_notice"
    if _INSPECTION_RE.search(title) or len(_INSPECTION_RE.findall(body)) >= 2:
        return "news"
    return "other"
