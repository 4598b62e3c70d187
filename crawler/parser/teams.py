"""Inspection team names as real pages write them, and inspection rounds.

Teams are named by number (省委第十一巡视组, 县委巡察第三组), by round (市委第六轮巡察组, 第七轮第一巡察组),
by target (对村巡察第二组, 营商环境专项巡察组), with a term prefix (十二届市委第三巡察组), by the
inspecting body (校党委第一巡察组, 集团党组第二巡视组) or with compound kinds (提级交叉巡察组).
Input is width-folded, simplified text.
"""

from __future__ import annotations

import re

NUM = r"[零〇一二三四五六七八九十百\d]"
_TERM = rf"{NUM}+届"
# Who sends the team. `党组`/`党委` may follow a short unit word (校党委, 集团党组, 局党组).
_ORGAN = (
    r"(?:中央|(?:自治区|自治州|自治县|[省市州县区旗盟])委|(?:党工委|工委)"
    r"|(?:学校|集团|公司|[校院局厅部司署行会所])?党(?:组|委))"
)
_ROUND = rf"第{NUM}+轮"
_KIND = r"(?:机动|专项|提级|交叉|联动|延伸|常规|异地)"
# A target written before the kind or the level: 对村, 村级, or a subject ending in a subject-matter word.
_TARGET = (
    r"(?:对村|村级|村\(社区\)|[^\W\d的出派由和与及对在将了于为是等个日月年组委党,。;、]{2,10}?"
    r"(?:环境|振兴|问题|领域|资金|工作|整治|保护|建设|治理|管理|系统|行业|安全|改革|服务|政策|购销|医保|教育|扶贫|脱贫))"
)
_CORE = rf"(?:{_KIND}(?:、?{_KIND})*)?(?:巡视|巡察)(?:工作)?(?:第{NUM}*)?组"
# Numbered after the organ or the round ("第十一巡视组", "第巡察组" with a dropped digit).
TEAM = (
    rf"(?:{_TERM})?(?:{_ORGAN})?(?:{_ROUND})?(?:{_TARGET})?(?:第{NUM}*)?{_CORE}"
)
_TEAM_RE = re.compile(TEAM)
# A name needs more than the bare word: an organ, a number, a round, a target or a kind.
_SPECIFIC_RE = re.compile(rf"{_ORGAN}|第|{_KIND}|对村|村级|{_TARGET}")
_NUMBERED_RE = re.compile(rf"第{NUM}+(?:巡视|巡察)|(?:巡视|巡察)(?:工作)?第{NUM}+组|轮{NUM}")
# Several teams at once: "第二、第三、第四巡察组", "6个巡察组", "各巡察组", "分七组".
_SEVERAL_RE = re.compile(
    rf"第{NUM}+(?:巡视|巡察)?组?[、和及至]第?{NUM}+(?:巡视|巡察)?组|{NUM}+个(?:巡视|巡察)组|各(?:巡视|巡察)组"
    rf"|分{NUM}+个?组"
)
_ROUND_RE = re.compile(
    rf"(?:{_TERM})?(?:中央|(?:自治区|[省市区县州旗盟])委|[校院局]?党(?:组|委))第{NUM}+轮|{_TERM}(?:中央|[省市区县州旗盟]委)?第{NUM}+轮"
)


def find_teams(text: str) -> list[re.Match[str]]:
    """Every specific team name in `text`, in reading order."""
    return [m for m in _TEAM_RE.finditer(text) if _SPECIFIC_RE.search(m[0]) and not m[0].startswith("组")]


def is_team(text: str) -> bool:
    m = _TEAM_RE.fullmatch(text)
    return bool(m and _SPECIFIC_RE.search(text))


def several_teams(text: str) -> bool:
    return bool(_SEVERAL_RE.search(text))


def best_team(matches: list[re.Match[str]]) -> str | None:
    """The most specific name: a numbered one ("省委第十巡视组") beats "省委巡视组"."""
    names = [m[0] for m in matches]
    numbered = [n for n in names if _NUMBERED_RE.search(n)]
    return (numbered or names or [None])[0]


def find_round(*texts: str) -> str | None:
    for text in texts:
        # Every round ends in 轮: the substring test spares the regex's scan of most texts.
        m = _ROUND_RE.search(text) if text and "轮" in text else None
        if m:
            return m[0]
    return None
