"""Inspection team names as real pages write them, and inspection rounds.

Teams are named by number (省委第十一巡视组, 县委巡察第三组), by round (市委第六轮巡察组, 第七轮第一巡察组),
by target (对村巡察第二组, 营商环境专项巡察组), with a term prefix (十二届市委第三巡察组), by the
inspecting body (校党委第一巡察组, 集团党组第二巡视组) or with compound kinds (提级交叉巡察组).
Input is width-folded, simplified text.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

NUM = r"[零〇一二三四五六七八九十百廿卅\d]"
_TERM = rf"{NUM}+届"
# Who sends the team. `党组`/`党委` may follow a short unit word (校党委, 集团党组, 局党组).
_MINISTRY = (
    r"(?:教育|公安|财政|商务|交通运输|水利|农业农村|文化和旅游|自然资源|生态环境|住房和城乡建设|工业和信息化"
    r"|人力资源和社会保障|民政|司法|科学技术|科技|外交|审计|应急管理|退役军人事务|国家卫生健康)(?:部|委)"
)
_ORGAN = (
    rf"(?:中央|(?:自治区|自治州|自治县|[省市州县区旗盟])委|(?:党工委|工委)|{_MINISTRY}(?:党组)?"
    r"|(?:集团公司|学校|集团|公司|[校院局厅部司署行会所])?党(?:组|委))"
)
_ROUND = rf"第{NUM}+轮"
_KIND = r"(?:机动|专项|提级|交叉|(?:上下)?联动|延伸|常规|异地)"
# A target written before the kind or the level: 对村, 村级, or a subject ending in a subject-matter word.
_TARGET = (
    r"(?:对村|村级|村\(社区\)|[^\W\d的出派由和与及对在将了于为是等个日月年组委党,。;、]{2,10}?"
    r"(?:环境|振兴|问题|领域|资金|工作|整治|保护|建设|治理|管理|系统|行业|安全|改革|服务|政策|购销|医保|教育|扶贫|脱贫))"
)
# "巡察第三组", "巡察二组" (no 第), "巡察组".
_CORE = rf"(?:{_KIND}(?:、?{_KIND})*)?(?:巡视|巡察)(?:工作)?(?:第{NUM}*|{NUM}+)?组"
# Numbered after the organ or the round ("第十一巡视组", "第巡察组" with a dropped digit).
# With a term, the place may be named too ("十三届无棣县委第七轮巡察第五巡察组"); a round may be followed
# by the level ("第七轮巡察第五巡察组").
_PLACE = r"[^\W\d的出派由和与及对在将了于为是等个日月年组委党据按经开召,。;、]{2,3}(?=[省市州县区旗盟]委)"
_FIXED_TARGET = r"(?:对村|村级|村\(社区\))"
TEAM = (
    rf"(?:{_TERM}(?:{_PLACE})?)?(?:{_ORGAN})?(?:{_ROUND}(?:巡视|巡察)?)?(?:{_TARGET})?(?:第{NUM}*)?{_CORE}"
)
# The same without the open-ended subject target: most names (the target's "any characters" start
# makes the engine try every position).
_TEAM_FIXED = (
    rf"(?:{_TERM}(?:{_PLACE})?)?(?:{_ORGAN})?(?:{_ROUND}(?:巡视|巡察)?)?(?:{_FIXED_TARGET})?(?:第{NUM}*)?{_CORE}"
)
_TEAM_RE = re.compile(TEAM)
# Every name ends in its core ("…巡视组", "…巡察第三组"): find the cores (a literal start the regex engine
# skips to), then the longest name ending there in the few characters before — TEAM's optional
# prefixes, tried at every position of a long text, cost 3x the rest of the parser.
_CORE_END_RE = re.compile(rf"(?:巡视|巡察)(?:工作)?(?:第{NUM}*|{NUM}+)?组")
_TEAM_END_RE = re.compile(rf"(?:{_TEAM_FIXED})\Z")
_TARGETED_END_RE = re.compile(rf"(?:{TEAM})\Z")
_SIMPLE_END_RE = re.compile(
    rf"(?:中央|(?:自治区|自治州|自治县|[省市州县区旗盟])委)(?:第{NUM}*)?(?:巡视|巡察)(?:工作)?(?:第{NUM}*|{NUM}+)?组\Z"
)
# First characters of _TEAM_FIXED's alternatives (terms and rounds start with a numeral or 第).
_TEAM_START_RE = re.compile(
    "[零〇一二三四五六七八九十百廿卅0123456789第中自省市州县区旗盟党工教公财商交水农文生住人民司科外审应退国"
    "集学校院局厅部署行会所对村机专提上联延常异巡]"
)
_REACH = 22
_BARE = frozenset({"巡视组", "巡察组", "巡视工作组", "巡察工作组"})
_NUMBERED_RE = re.compile(rf"第{NUM}*(?:巡视|巡察)|(?:巡视|巡察)(?:工作)?第?{NUM}+组|轮{NUM}")
# Several teams at once: "第二、第三、第四巡察组", "6个巡察组", "各巡察组", "分七组".
_SEVERAL_RE = re.compile(
    rf"第{NUM}+(?:巡视|巡察)?组?[、和及至]第?{NUM}+(?:巡视|巡察)?组|{NUM}+个[^,。;个]{{0,8}}?(?:巡视|巡察)组"
    rf"|各(?:巡视|巡察)组|分{NUM}+个?组"
)
# "十二届省委第四轮", "集团党委第二轮", "2024年第二轮", "第四批" / "第三轮" before the level.
_ROUND_RE = re.compile(
    rf"(?:{_TERM}(?:{_PLACE})?)?(?:{_ORGAN})?(?:\d{{4}}年(?:度)?)?第{NUM}+(?:轮|批)"
)
_BOOK_TITLE_RE = re.compile(r"《[^》]*》")
# Rounds found like teams: from their core ("第四轮"), then the prefixes just before it.
_ROUND_CORE_RE = re.compile(rf"第{NUM}+(?:轮|批)")
_ROUND_END_RE = re.compile(rf"(?:{_ROUND_RE.pattern})\Z")


def _starts(text: str, lo: int, hi: int) -> Iterator[int]:
    return (m.start() for m in _TEAM_START_RE.finditer(text, lo, hi))


def find_teams(text: str) -> list[re.Match[str]]:
    """Every specific team name in `text`, in reading order (matches on `text`)."""
    out: list[re.Match[str]] = []
    for core in _CORE_END_RE.finditer(text):
        lo = max(0, core.start() - _REACH, out[-1].end() if out else 0)
        # "营商环境专项巡察组": a subject before the kind — the only case that needs the open target.
        targeted = text.startswith("专项", core.start() - 2) if core.start() >= 2 else False
        simple = None if targeted else _SIMPLE_END_RE.search(text, max(lo, core.start() - 10), core.end())
        if simple is not None and "届" not in text[max(lo, simple.start() - 8) : simple.start()]:
            # The common name ("省委第十一巡视组", "市委巡察二组") with no term before it: nothing longer
            # can end here.
            m = simple
        elif targeted:
            m = _TARGETED_END_RE.search(text, lo, core.end())
        else:
            # Only where a name can start (a numeral, an organ, a target, a kind or the level): the
            # leftmost of those that reaches the core is what `search` would find, in a few tries.
            end = core.end()
            m = next(
                (hit for at in _starts(text, lo, core.start() + 1) if (hit := _TEAM_END_RE.match(text, at, end))),
                None,
            )
        if m and m[0] not in _BARE and not m[0].startswith("组"):
            out.append(m)
    return out


def is_team(text: str) -> bool:
    return text not in _BARE and bool(_TEAM_RE.fullmatch(text))


def several_teams(text: str) -> bool:
    return bool(_SEVERAL_RE.search(text))


def is_numbered(team: str) -> bool:
    return bool(_NUMBERED_RE.search(team))


def best_team(matches: list[re.Match[str]]) -> str | None:
    """The most specific name: a numbered one ("省委第十巡视组") beats "省委巡视组"."""
    names = [m[0] for m in matches]
    numbered = [n for n in names if _NUMBERED_RE.search(n)]
    return (numbered or names or [None])[0]


def find_round(*texts: str, body: str = "") -> str | None:
    """The round as stated: with its term, organ or year ("十二届省委第四轮", "2024年第二轮"); a bare
    "第三轮"/"第四批" only before the level ("第三轮巡视"), never one whose report is heard ("听取…").
    `texts` (title, opening) first, then the rest of the `body`, where book titles (《…方案》) do not
    count."""
    found = _round_in(texts)
    if found or not body:
        return found
    return _round_in((_BOOK_TITLE_RE.sub("", body) if "《" in body else body,))


def _round_in(texts: tuple[str, ...]) -> str | None:
    for text in texts:
        # Every round ends in 轮 or 批: the substring test spares the regex's scan of most texts.
        if not text or ("轮" not in text and "批" not in text):
            continue
        for core in _ROUND_CORE_RE.finditer(text):
            m = _ROUND_END_RE.search(text, max(0, core.start() - 24), core.end())
            if m is None:
                continue
            bare = m[0].startswith("第")
            after = text[m.end() : m.end() + 16]
            level_follows = re.match(r"^[^,。;]{0,12}?(?:巡视|巡察)", after)
            if (bare or m[0].endswith("批")) and not level_follows:
                continue
            # "听取六届市委第一轮巡视综合情况汇报": a report on another round.
            if "听取" in text[max(0, m.start() - 12) : m.start()]:
                continue
            return m[0]
    return None
