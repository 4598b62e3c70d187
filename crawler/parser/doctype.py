"""Is this page a rectification notice, news about inspections, or something else?

A notice is the inspected organisation speaking for itself: its opening paragraph ends "现将巡视整改进展
情况予以公布" (or "报告如下"), its title is "…整改进展情况的通报", it closes with a feedback-contact
paragraph. News reports *about* inspections often quote a notice, so quoted text does not count, and
a notice's formula only counts in its opening lines.
"""

from __future__ import annotations

import re

_INTRO_RE = re.compile(
    r"(?:现(?:[^。,]{0,10}?)将|将(?<![\u4e00-\u9fff]将)(?=[^。]{0,40}如下))(?:[^。]{0,40}?)(?:巡视|巡察)?(?:整改|集中整改)(?:落实)?(?:工作)?(?:进展)?(?:情况|工作情况)?"
    r"(?:予以公布|予以公开|公布如下|报告如下|通报如下|公告如下|予以通报|予以公示|公示如下|公开如下"
    r"|向社会(?:公开|公布|通报)|(?:报告|通报|公布)[,。])"
)
_TITLE_RE = re.compile(
    r"(?:巡视|巡察)?整改(?:落实)?(?:工作)?(?:进展)?(?:工作)?情况的?(?:通报|公告|公示|报告)$|整改进展情况|整改进展$"
)
_CONTACT_RE = re.compile(r"欢迎[^。]{0,20}(?:对|就)[^。]{0,20}整改[^。]{0,20}(?:监督|意见|建议)")
_NEWS_LEAD_RE = re.compile(
    r"^(?:[((]?本报讯|[((]?记者|新华社|[^。]{0,20}讯[((\s]|[^。]{0,16}\d日?电\s*[((]|[^。]{0,12}电[((]|近日|日前|连日来|\d{1,2}月\d{1,2}日[,,上下]?)"
)
_BYLINE_RE = re.compile(
    r"^(?:[((]?本报讯|[((]?记者|新华社|[^。]{0,20}讯[((\s]|[^。]{0,16}\d日?电\s*[((]|[^。]{0,12}电[((]|通讯员)"
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
# The team (or the party committee sending it) gives its findings: "巡视组向X反馈", "召开巡察意见反馈会",
# "反馈第三轮巡视“回头看”情况", "巡视反馈工作…集中反馈会议". A check on rectification (督查组, 督导组)
# that "反馈s" to the inspected is news, not a feedback meeting.
_FEEDBACK_NEWS_RE = re.compile(
    r"(?:巡视|巡察)(?:工作)?组[^。,;]{0,30}?(?:向|对)[^。]{0,40}?反馈"
    r"|(?:党委|党组|[省市区县]委)向[^。,]{1,30}反馈[^。]{0,16}(?:巡视|巡察)"
    r"|反馈(?:了)?[^。,]{0,12}(?:巡视|巡察)[^。,]{0,12}(?:情况|意见)"
    r"|(?:巡视|巡察)[^。,]{0,16}?(?:情况|意见)?(?:集中)?反馈(?:会|大会|会议|工作)"
)
_CHECK_RE = re.compile(r"督查组|督导组|督查|督导|检查组|整改[^。]{0,6}(?:验收|评估|调研)")
# Not a party inspection: audits (审计), environmental inspections (督察), and rectification plans.
# Plans, rules and templates: "…整改工作方案", "制定本规程", "市委第X巡察组…X月XX日" placeholders.
# (Each branch starts with a literal, so the engine skips to candidates instead of trying every position.)
_PLAN_TITLE_RE = re.compile(r"方案(?:模板|范文)?(?:_第\d+页)?$|(?:规程|办法|规定|细则)$")
_PLAN_RE = re.compile(r"制定本(?:方案|规程|办法|规定|细则|制度)|特制定本?方案|方案如下|方案模板|范文")
_PLACEHOLDER_RE = re.compile(r"[X×*](?<![A-Za-z][X×*])[X×*]{0,2}(?:月[X×*]{1,3}日|同志|县|市|区)|第[X×*]+(?:巡视|巡察)")
# A news report of a meeting (who presided, spoke, pledged): an arrival's 动员会 news, not its announcement.
_MEETING_RE = re.compile(r"主持|出席|讲话|表态发言|作动员|指出|强调|参加会议|介绍了")
_ANNOUNCE_FORMULA_RE = re.compile(r"公告如下|现予公告|特此公告|公布如下|^(?:巡视|巡察)公告$|的公告$", re.M)
_ANNOUNCE_TITLE_RE = re.compile(r"(?:巡视|巡察)公告|的公告$")
_CHANNEL_VALUE_RE = re.compile(r"\d{7,8}|1[3-9]\d{9}|@[A-Za-z0-9-]+\.|\d+号信箱|123\d\d")


def _paragraphs(body: str, count: int) -> str:
    return "\n".join(body.splitlines()[:count])


_PARTY_RE = re.compile(
    r"党|中央|[省市县区州旗]委|委员会|纪委|(?:巡视|巡察)(?:组|办|工作领导|整改|反馈|期间|对象|意见)|被(?:巡视|巡察)"
)


def is_party_inspection(title: str | None, body: str) -> bool:
    """Whether the page is about a party inspection at all: 巡视/巡察 and the party (党). Power-line
    "巡视" (线路巡视, 杆塔) and other patrols never mention the party."""
    head = (title or "") + body[:3000]
    return bool(_INSPECTION_RE.search(head)) and bool(_PARTY_RE.search(head))


def _not_inspection(title: str, body: str) -> bool:
    """An audit, an environmental inspection (督察) or a rectification plan: not a party inspection's
    notice, whatever it borrows from one ("整改情况的报告", "现将整改情况公告如下")."""
    head = title + body[:1500]
    inspections = head.count("巡视") + head.count("巡察")
    if _PLAN_TITLE_RE.search(title) and ("整改" in title or "工作" in title or "巡" in title):
        return True
    # (The placeholder pattern cannot be scanned for quickly: test for its characters first.)
    placeholder = ("X" in head or "×" in head or "*" in head) and _PLACEHOLDER_RE.search(head)
    if _PLAN_RE.search(title) or _PLAN_RE.search(body[:400]) or placeholder:
        return True
    return max(head.count("审计"), head.count("督察")) > inspections


def _is_announcement(title: str, body: str, lead: str, news_lead: bool) -> bool:
    """A team's own announcement: its arrival (or 巡察期间) and its report channels, stated with the
    numbers, or with the formula that lists them ("现公告如下", "公布如下"). A news report of an
    arrival that only says channels exist is news."""
    head = strip_quotes(body[:2500])
    if not _REPORTING_RE.search(head + title):
        return False
    if _ANNOUNCE_TITLE_RE.search(title) or _ANNOUNCE_FORMULA_RE.search(head):
        return True
    arrival = _ARRIVAL_RE.search(strip_quotes(title)) or _ARRIVAL_RE.search(lead) or "期间" in lead
    meeting = len(set(_MEETING_RE.findall(head))) >= 2
    return bool(arrival) and not news_lead and not meeting and bool(_CHANNEL_VALUE_RE.search(head))


def _is_feedback_news(title: str, body: str) -> bool:
    lead = strip_quotes(body.split("\n", 1)[0][:600]) if body else ""
    text = strip_quotes(title) + "\n" + lead
    m = _FEEDBACK_NEWS_RE.search(text)
    if not m:
        return False
    # "派出三个督导组…向被巡察党组织进行了反馈": a follow-up check, not the team's feedback.
    return not _CHECK_RE.search(text[: m.end()])


def classify(title: str | None, body: str) -> str:
    """The document type of a page, from its width-folded, simplified title and body — the title is
    one signal among several (many pages have none):

    - 'other' first for audits, environmental inspections (督察) and rectification plans;
    - 'rectification_notice': the opening formula ("现将巡视整改进展情况予以公布/报告如下/向社会公开")
      outside quotes, or a notice title ("…整改进展情况的通报") / closing feedback paragraph without a
      news lead;
    - 'inspection_announcement': a team's arrival with its reporting channels, stated (numbers) or
      announced ("现公告如下");
    - 'feedback_news': a report that a team gave feedback ("省委第三巡视组向汕头市反馈巡视情况",
      "召开巡察“回头看”情况反馈大会"), unless it is a follow-up check by 督查组/督导组;
    - 'news': other pages about inspections (title, or at least two mentions in the body);
    - 'other'.
    Quoted text never counts, so a news report quoting a notice stays news; and a notice that mentions
    meetings or news stays a notice, because its opening formula is checked first.
    """
    title = title or ""
    if not is_party_inspection(title, body):
        return "other"
    if _not_inspection(title, body):
        return "other"
    opening = strip_quotes(body[:600])
    lead = _paragraphs(opening, 2)[:400]
    reported = bool(_BYLINE_RE.match(body.lstrip()))  # "本报讯", "记者", "…8月25日电"
    news_lead = reported or bool(_NEWS_TITLE_RE.search(title))
    if _INTRO_RE.search(opening) and not _ARRIVAL_RE.search(opening[: _INTRO_RE.search(opening).start()]):
        return "rectification_notice"
    notice_title = bool(_TITLE_RE.search(title)) and bool(_INSPECTION_RE.search(title + body[:500]))
    if notice_title and not news_lead:
        return "rectification_notice"
    if _is_announcement(title, body, lead, reported):
        return "inspection_announcement"
    if _is_feedback_news(title, body):
        return "feedback_news"
    if not news_lead:
        closing = strip_quotes(body[-800:])
        if _CONTACT_RE.search(closing) and _INSPECTION_RE.search(body[:500]):
            return "rectification_notice"
    if _INSPECTION_RE.search(title) or len(_INSPECTION_RE.findall(body)) >= 2:
        return "news"
    return "other"
