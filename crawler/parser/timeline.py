"""The notice's dates: inspection period, feedback date, public-comment (disclosure) window.

Input is width-folded, simplified text. A window that the text does not state stays ``None``: users
act on disclosure_end, so an invented one is worse than none (docs/storage.md). Where a date is
read from messy text ("2025年1021日", "2023年9月15") or cannot be read, `Timeline.warnings` says so.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from .dates import DateMention, _number, find_mentions, find_ranges, resolve, to_date
from .holidays import add_working_days

_FEEDBACK_RE = re.compile(
    r"反馈了?(?:巡视|巡察)?(?:意见|情况)|反馈了?(?:巡视|巡察)问题"
    # News style: "…巡视组向X党委反馈专项巡视情况", "…对相关单位进行了反馈".
    r"|向[^。,;]{2,40}?(?:集中|专题)?反馈[^。,;]{0,16}?(?:巡视|巡察)[^。,;]{0,12}?(?:意见|情况|问题)"
    r"|进行了?(?:集中|专题)?反馈"
    # "于7月5日召开巡察反馈会", "在巡视反馈会议上": the meeting's date is the feedback date.
    # ([巡视|巡察][情况]反馈会…, spelt out so that every branch starts with a literal character: the
    # regex engine then skips to those characters instead of trying each branch at every position.)
    r"|巡视(?:情况)?反馈(?:会议|大会|会)|巡察(?:情况)?反馈(?:会议|大会|会)|情况反馈(?:会议|大会|会)"
    r"|反馈(?:会议|大会|会)"
)
_WINDOW_LABEL_RE = re.compile(
    r"(?:公开期限|公开时间|公开期|公示期限|公示时间|公示期|受理时间|受理期限|反映时间|意见反馈时间|征求意见时间|监督时间"
    r"|反馈意见时间|意见征集时间|公开公示期)"
    r"\s*(?:为|是|自)?\s*[::]?"
)
# An inspection team's acceptance period for letters, calls and visits (announcements).
_ACCEPT_LABEL_RE = re.compile(
    r"(?:受理(?:信访|来信来电(?:来访)?|来信|举报|群众来信来电来访)?(?:的)?时间|信访受理时间|值班时间)"
    r"\s*(?:为|是|自|从)?\s*[::]?"
)
_FROM_TODAY_RE = re.compile(
    r"(?:自|从)?(?:即日|公布之日|发布之日|公开之日|印发之日|通报之日)起?\s*(?:至|到)\s*"
)
_DEADLINE_RE = re.compile(r"^(?:截止(?:到|至|日期为|时间为|于)?|截至|至|到)\s*")
_PUBLISH_START_RE = re.compile(r"(?:即日|公布之日|发布之日|公开之日|印发之日|通报之日)起")
_DURATION_RE = re.compile(
    r"(?:为期|期为|期限为|时间为|期限|公示|公开|起)\s*(?P<n>\d{1,3}|[一二三四五六七八九十两]{1,3})\s*个?\s*"
    r"(?P<unit>工作日|自然日|日历日|天|日)"
)
_DURATION_CONTEXT_RE = re.compile(r"公示|公开|征求意见|意见反馈|反馈意见")
_SENTENCE_END = re.compile(r"[。;\n]")
_ARRIVAL_RE = re.compile(r"进驻")
_CLAUSE_END = re.compile(r"[。\n]")
_ACCEPT_DEADLINE_RE = re.compile(r"(?:受理|信访|来信来电)[^。]{0,20}?(截止(?:到|至|于|时间为|日期为)?|截至)")
_MAX_DURATION_DAYS = 366


@dataclass(frozen=True)
class Timeline:
    inspection_start: str | None = None
    inspection_end: str | None = None
    feedback_date: str | None = None
    disclosure_start: str | None = None
    disclosure_end: str | None = None
    disclosure_basis: str | None = None
    warnings: tuple[str, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class Window:
    start: str | None = None
    end: str | None = None
    basis: str | None = None
    warnings: tuple[str, ...] = ()

    @property
    def found(self) -> bool:
        return self.start is not None or self.end is not None or bool(self.warnings)


def _sentence_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    before = max((m.end() for m in _SENTENCE_END.finditer(text, 0, start)), default=0)
    after = _SENTENCE_END.search(text, end)
    return before, after.start() if after else len(text)


def _noted(field_name: str, mention: DateMention) -> list[str]:
    return [f"{field_name}: {mention.text!r} {mention.note}"] if mention.note else []


# "巡察时间:2025年3月24日至5月30日", "巡察期间(2020年8月20日至2020年10月20日)", "一、巡察时间\n2025年…".
_PERIOD_LABEL_RE = re.compile(r"(?:巡视|巡察)(?:工作)?(?:时间|期间|进驻时间|集中进驻时间)\s*(?:为|是)?\s*[::(\n]?\s*")
# A sentence that states the inspection, not a window for letters or comments.
_PERIOD_SENTENCE_RE = re.compile(r"(?:巡视|巡察)")
_NOT_PERIOD_RE = re.compile(r"受理|信访|公示|公开期|公开时间|截止|截至|值班|接听|征求意见|整改期")
# Only a start: "从2018年8月30日开始,…巡察组对…进行了巡察", "自3月9日起".
_START_RE = re.compile(r"(?:从|自|于)(?P<date>[^,。;]{3,14}?)(?:开始|起)")
_HEAD = 1600


def find_inspection_period(
    text: str, clause_span: tuple[int, int] | None, reference: dt.date | None = None
) -> tuple[str | None, str | None, list[str]]:
    """The inspection period: in the sentence of the opening clause ("2023年4月24日至7月26日,省委第十一
    巡视组对…"), after a label ("巡察时间:…"), or in any early sentence about the inspection that is no
    window for letters or comments. A year left out comes from the document's own date (`reference`:
    publication or signature), the latest year that puts the period before it."""
    first_sentence = [_sentence_bounds(text, *clause_span)] if clause_span is not None else []
    for lo, hi in _period_candidates(text, first_sentence):
        anchor = _year_anchor(text[:lo])
        ranges = find_ranges(text[lo:hi], anchor or _before(reference))
        if ranges and (ranges[0].start or ranges[0].end):
            first = ranges[0]
            start, end = first.start, first.end
            written = text[lo:hi][first.span[0] : first.span[1]]
            if anchor is None and "年" not in written:
                start = _past(start, reference)
                end = _past(end, reference, shift_of=(first.start, start))
            return start, end, [f"inspection period: {p}" for p in first.problems]
    for lo, hi in first_sentence + [s for s in _sentences(text[:_HEAD]) if "巡" in text[s[0] : s[1]]]:
        m = _START_RE.search(text, lo, hi)
        if m and not _NOT_PERIOD_RE.search(text[lo:hi]):
            mentions = [d for d in find_mentions(m["date"]) if d.day is not None]
            if mentions:
                anchor = _year_anchor(text[:lo])
                day = resolve(mentions[0], anchor or _before(reference))
                iso = day.isoformat() if day else None
                return (_past(iso, reference) if anchor is None and mentions[0].year is None else iso), None, []
    return None, None, []


def _period_candidates(text: str, first: list[tuple[int, int]]) -> Iterator[tuple[int, int]]:
    """Where a period may be stated, best first (lazily: most notices state it in the first)."""
    yield from first
    for label in _PERIOD_LABEL_RE.finditer(text, 0, _HEAD):
        yield label.end(), min(len(text), label.end() + 40)
    for lo, hi in _sentences(text[:_HEAD]):
        chunk = text[lo:hi]
        if _PERIOD_SENTENCE_RE.search(chunk) and not _NOT_PERIOD_RE.search(chunk):
            yield lo, hi


def _sentences(text: str) -> list[tuple[int, int]]:
    out, lo = [], 0
    for m in _SENTENCE_END.finditer(text):
        out.append((lo, m.start()))
        lo = m.end()
    if lo < len(text):
        out.append((lo, len(text)))
    return out


def _before(reference: dt.date | None) -> dt.date | None:
    """An anchor for a year-less date in the past of `reference`: 1 January of its year."""
    return dt.date(reference.year, 1, 1) if reference else None


def _past(
    day: str | None, reference: dt.date | None, *, shift_of: tuple[str | None, str | None] | None = None
) -> str | None:
    """A year-less date given `reference`'s year, moved a year back when that puts it well after the
    document (an inspection is over before its notice; an announcement may precede it by weeks).
    `shift_of` (before, after) moves an end by the same shift as its start."""
    value = to_date(day)
    if value is None or reference is None:
        return day
    if shift_of is not None:
        before, after = (to_date(d) for d in shift_of)
        return _shift_year(value, -1).isoformat() if before and after and after < before else day
    if (value - reference).days > 45:
        return _shift_year(value, -1).isoformat()
    return day


def _shift_year(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _year_anchor(text: str) -> dt.date | None:
    """The last explicitly-dated year before this point: context for "9月13日,市委巡察组…反馈"."""
    years = [m.year for m in find_mentions(text) if m.year]
    return dt.date(years[-1], 1, 1) if years else None


def find_feedback_date(
    text: str, intro_end: int, inspection_end: str | None, reference: dt.date | None = None
) -> tuple[str | None, list[str]]:
    """The date in the sentence that says feedback was given, ignoring the inspection period there;
    a feedback span ("于2021年2月1日至3日…进行了反馈") gives its first day. A year left out comes from
    the inspection period, an earlier dated sentence, or the document's own date (`reference`)."""
    for m in _FEEDBACK_RE.finditer(text, 0, intro_end):
        lo, _ = _sentence_bounds(text, m.start(), m.start())
        segment = text[lo : m.start()]
        ranges = find_ranges(segment)
        in_range = [r.span for r in ranges]
        singles = [d for d in find_mentions(segment) if not any(a <= d.start < b for a, b in in_range)]
        if not singles:
            spans = ranges
            if spans and "反馈" in segment[spans[-1].span[1] :] + text[m.start() : m.end()]:
                singles = [d for d in find_mentions(segment[spans[-1].span[0] :])][:1]
        singles = [d for d in singles if d.day is not None or d.note]
        if not singles:
            continue
        mention = singles[-1]
        anchor = to_date(inspection_end) or _year_anchor(text[:lo])
        if anchor is None and mention.year is None and reference is not None:
            # "3月23日,校党委向本科生院反馈…" on a page dated 2023-03-24: the nearest earlier date.
            day = resolve(mention, reference, nearest=True)
            if day and day > reference:
                day = _shift_year(day, -1)
        else:
            day = resolve(mention, anchor)
        warnings = _noted("feedback_date", mention)
        if day is None:
            warnings.append(f"feedback_date: {mention.text!r} is not a complete date")
        return (day.isoformat() if day else None), warnings
    return None, []


def _region_end(text: str, start: int) -> int:
    """End of the window clause: the sentence, or 80 characters, whichever is shorter."""
    stop = _CLAUSE_END.search(text, start, start + 80)
    return stop.start() if stop else min(len(text), start + 80)


def find_disclosure_window(text: str, published: str | None) -> tuple[str | None, str | None]:
    """The stated comment window as (start, end); see `find_window` for the basis and warnings."""
    window = find_window(text, published)
    return window.start, window.end


def find_window(text: str, published: str | None, *, labels: re.Pattern[str] = _WINDOW_LABEL_RE) -> Window:
    """The stated comment window: after a label (公开期限:…), else in the feedback paragraph."""
    anchor = to_date(published)
    for label in labels.finditer(text):
        snippet = text[label.end() : _region_end(text, label.end())]
        window = _window_in(snippet, anchor or _year_anchor(text[: label.start()]), published, near=12)
        if window.found:
            return window
    if labels is not _WINDOW_LABEL_RE:
        return Window()
    for line in text.splitlines():
        if "欢迎" in line and ("监督" in line or "意见" in line):
            window = _window_in(line, anchor or _year_anchor(text), published, near=len(line), loose=True)
            if window.found:
                return window
    # "自2024年9月26日起公示,为期10个工作日": a duration in a sentence about publication/comment.
    for duration in _DURATION_RE.finditer(text):
        lo, _ = _sentence_bounds(text, duration.start(), duration.end())
        sentence = text[lo : duration.end()]
        if _DURATION_CONTEXT_RE.search(text[max(lo, duration.start() - 12) : duration.end()]):
            window = _duration_window(sentence, anchor or _year_anchor(text[:lo]), published)
            if window.found:
                return window
    return Window()


def _window_in(
    snippet: str, anchor: dt.date | None, published: str | None, *, near: int, loose: bool = False
) -> Window:
    """The window at the start of `snippet`: a range within `near` characters, "即日起至…", a
    deadline ("截止到…"), or a duration from a stated start ("自2024年9月26日起,为期10个工作日")."""
    body = snippet.lstrip()
    nearest = anchor is not None and published is not None
    today = _FROM_TODAY_RE.match(body)
    if today:
        # "即日起至10月25日": the start is the day of publication — stated, if we know it.
        rest = body[today.end() :]
        ends = find_mentions(rest[:20])
        end = resolve(ends[0], anchor, as_end=True) if ends and ends[0].start == 0 else None
        if end is None:
            return Window()
        if published is None:
            return Window(
                None,
                end.isoformat(),
                "deadline_only",
                ("disclosure_start: 'from publication' but the publication date is unknown",),
            )
        return Window(
            published, end.isoformat(), "from_publication", tuple(_noted("disclosure_end", ends[0]))
        )
    ranges = find_ranges(snippet, anchor, nearest=nearest)
    if ranges and ranges[0].span[0] <= near:
        first = ranges[0]
        return Window(
            first.start,
            first.end,
            "calendar_range" if first.end else None,
            tuple(f"disclosure window: {p}" for p in first.problems),
        )
    if not loose:
        deadline = _DEADLINE_RE.match(body)
        if deadline:
            ends = find_mentions(body[deadline.end() : deadline.end() + 20])
            if ends and ends[0].start == 0:
                end = resolve(ends[0], anchor, as_end=True, nearest=nearest)
                if end:
                    return Window(
                        None, end.isoformat(), "deadline_only", tuple(_noted("disclosure_end", ends[0]))
                    )
    return _duration_window(snippet, anchor, published)


def _duration_window(snippet: str, anchor: dt.date | None, published: str | None) -> Window:
    duration = _DURATION_RE.search(snippet)
    if not duration:
        return Window()
    count = _number(duration["n"].replace("两", "二"))
    unit = duration["unit"]
    if not count or count > _MAX_DURATION_DAYS:
        return Window(warnings=(f"disclosure_end: duration {duration[0]!r} is not a usable number",))
    before = snippet[: duration.start()]
    starts = [m for m in find_mentions(before) if m.day is not None]
    start: dt.date | None = None
    notes: list[str] = []
    if starts:
        start = resolve(starts[-1], anchor, nearest=anchor is not None and published is not None)
        notes = _noted("disclosure_start", starts[-1])
    elif _PUBLISH_START_RE.search(before + duration[0]):
        start = to_date(published)
        if start is None:
            return Window(
                warnings=(
                    f"disclosure window: {duration[0]!r} from publication, but the publication date is unknown",
                )
            )
    if start is None:
        return Window(warnings=(f"disclosure window: {duration[0]!r} stated without a start date",))
    if unit == "工作日":
        end, covered = add_working_days(start, count)
        basis = "working_days" if covered else "working_days_mon_fri"
        if not covered:
            notes.append(
                "disclosure_end: working days counted Monday–Friday (no official calendar for that year)"
            )
    else:
        end, basis = start + dt.timedelta(days=count - 1), "calendar_days"
    return Window(start.isoformat(), end.isoformat(), basis, tuple(notes))


def find_arrival_date(text: str, published: str | None = None) -> str | None:
    """The date in the sentence saying the team arrived ("3月1日,省委第五巡视组进驻阳江市…")."""
    m = _ARRIVAL_RE.search(text[:600])
    if not m:
        return None
    lo, hi = _sentence_bounds(text, m.start(), m.end())
    mentions = [d for d in find_mentions(text[lo:hi]) if d.day is not None]
    if not mentions:
        return None
    if mentions[0].year is None and to_date(published):
        day = resolve(mentions[0], to_date(published), nearest=True)
    else:
        day = resolve(mentions[0], _year_anchor(text[:hi]))
    return day.isoformat() if day else None


def find_acceptance_window(text: str, published: str | None) -> Window:
    """An announcement's period for reports: a stated range, or arrival date to the deadline."""
    arrival = find_arrival_date(text, published)
    window = find_window(text, published or arrival, labels=_ACCEPT_LABEL_RE)
    if not window.found:
        # "受理信访时间截止到4月30日" may come without a label this module knows: look for 截止.
        m = _ACCEPT_DEADLINE_RE.search(text)
        if m:
            window = _window_in(text[m.start(1) : m.start(1) + 40], to_date(published), published, near=0)
    if window.basis == "deadline_only":
        if arrival and window.end and arrival <= window.end:
            return Window(arrival, window.end, "arrival_to_deadline", window.warnings)
    return window


def find_timeline(
    text: str,
    clause_span: tuple[int, int] | None,
    published: str | None,
    *,
    announcement: bool = False,
    notice: bool = True,
) -> Timeline:
    """Period, feedback date and window. `published` is the document's date (publication, else its
    signature): the context for years left out. An announcement's window is its period for reports;
    a page that is neither notice nor announcement has only a stated deadline for reports, if any."""
    reference = to_date(published)
    start, end, warnings = find_inspection_period(text, clause_span, reference)
    intro_end = max(clause_span[1] + 400 if clause_span else 0, min(len(text), _HEAD))
    feedback, feedback_warnings = find_feedback_date(text, intro_end, end or start, reference)
    if announcement:
        window = find_acceptance_window(text, published)
        start = start or find_arrival_date(text, published)
    elif notice:
        window = find_window(text, published)
    else:
        window = find_report_deadline(text, published)
    return Timeline(
        start,
        end,
        feedback,
        window.start,
        window.end,
        window.basis,
        tuple(warnings + feedback_warnings + list(window.warnings)),
    )


def find_report_deadline(text: str, published: str | None) -> Window:
    """A news page's stated deadline for reports to the team ("受理信访时间截止到2025年6月10日")."""
    m = _ACCEPT_DEADLINE_RE.search(text)
    if not m:
        return Window()
    window = _window_in(text[m.start(1) : m.start(1) + 40], to_date(published), published, near=0)
    return Window(None, window.end, "deadline_only", window.warnings) if window.end else Window()
