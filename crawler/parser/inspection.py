"""Who inspected whom, and how: team, level (巡视/巡察), kind, round, inspected organisation.

Notices open with one formulaic clause, e.g.
"2023年4月24日至7月26日,省委第十一巡视组对珠海市金湾区委推进粤港澳大湾区建设情况开展了常规巡视".
Input is width-folded, simplified text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_NUM = r"[零〇一二三四五六七八九十\d]"
_KINDS = ("常规", "专项", "机动", "提级", "交叉", "回头看")
# "市委第巡察组" (a dropped digit) is real text, hence `*` after 第.
_TEAM = (
    rf"(?:(?:中央|[省市区县州旗]委)(?:第{_NUM}*)?(?:机动|专项|提级|交叉)?(?:巡视|巡察)(?:第{_NUM}+)?组"
    rf"|(?:中央|[省市区县州旗]委)(?:巡视|巡察)(?:工作)?第{_NUM}+组)"
)
_TEAM_RE = re.compile(_TEAM)
_CLAUSE_RE = re.compile(
    rf"(?P<team>{_TEAM})[^。;对]{{0,40}}?对(?P<org>[^,。;]{{2,80}}?)"
    rf"(?:开展了|进行了|开展|进行|实施了|实施)(?P<mid>[^,。;]{{0,10}}?)(?P<level>巡视|巡察)(?P<after>“?回头看”?)?"
)
_FEEDBACK_TO_RE = re.compile(r"向(?P<org>[^,。;向]{2,40}?)(?:党组织)?(?:集中)?反馈(?:了)?(?:巡视|巡察|有关)?")
_ROUND_RE = re.compile(
    rf"(?:{_NUM}+届)?(?:中央|[省市区县州]委)第{_NUM}+轮|{_NUM}+届(?:中央|[省市区县州]委)?第{_NUM}+轮"
)
# Where the organisation's name ends and the subject matter begins: "对X推进…情况开展了巡视".
_ORG_STOP = re.compile(
    r"(?:推进|推动|落实|贯彻|履行|执行|关于|开展|党风廉政|选人用人|领导班子|的?(?:政治)?巡视|的?巡察)"
)
_ENTERED_RE = re.compile(rf"{_TEAM}进驻(?P<place>[\u4e00-\u9fff]{{1,12}}?[省市县区])(?:开展|进行|,)")
_NUM_RE = re.compile(_NUM)
_ALIAS_RE = re.compile(r"\((?:以下简称|简称)[^)]*\)$")
_TITLE_ORG_RE = re.compile(r"^(?P<org>[^,。;]{2,40}?)关于")


@dataclass(frozen=True)
class Inspection:
    level: str | None = None
    kind: str | None = None
    round: str | None = None
    team: str | None = None
    org: str | None = None
    clause_span: tuple[int, int] | None = None


def find_clause(text: str) -> re.Match[str] | None:
    return _CLAUSE_RE.search(text)


def _cut_org(raw: str) -> str | None:
    org = raw.strip(" ,:")
    stop = _ORG_STOP.search(org)
    if stop and stop.start() >= 2:
        org = org[: stop.start()]
    org = _ALIAS_RE.sub("", org).strip()
    return org or None


def find_kind(clause: str, team: str | None) -> str | None:
    """The inspection kind stated in the clause ("开展了专项巡视"), else implied by the team name."""
    if "回头看" in clause:
        return "回头看"
    for kind in _KINDS:
        if kind in clause:
            return kind
    for kind in _KINDS:
        if team and kind in team:
            return kind
    return None


def find_team(text: str) -> str | None:
    """The most specific team named: a numbered one ("省委第十巡视组") beats "省委巡视组"."""
    teams = _TEAM_RE.findall(text)
    numbered = [t for t in teams if _NUM_RE.search(t)]
    return (numbered or teams or [None])[0]


def find_round(*texts: str) -> str | None:
    for text in texts:
        # Every round ends in 轮: the substring test spares the regex's slow scan of most texts.
        m = _ROUND_RE.search(text) if text and "轮" in text else None
        if m:
            return m[0]
    return None


def find_level(text: str, title: str | None = None) -> str | None:
    """巡视 or 巡察, by which kind of 整改 the notice is about (a 巡视 notice may mention 巡察 in passing)."""
    for source in (title or "", text):
        shi, cha = (
            source.count("巡视整改") + source.count("巡视意见"),
            source.count("巡察整改") + source.count("巡察意见"),
        )
        if shi or cha:
            return "巡视" if shi >= cha else "巡察"
    shi, cha = text.count("巡视"), text.count("巡察")
    if shi or cha:
        return "巡视" if shi >= cha else "巡察"
    return None


def find_inspection(text: str, title: str | None = None, signer: str | None = None) -> Inspection:
    """Team, level, kind, round and inspected organisation from the opening clause, with fallbacks."""
    clause = find_clause(text)
    round_ = find_round(title or "", text[:600])
    if clause:
        team = clause["team"]
        kind = find_kind(clause["mid"] + (clause["after"] or ""), team)
        return Inspection(clause["level"], kind, round_, team, _cut_org(clause["org"]), clause.span())
    team = find_team(text)
    level = next((lv for lv in ("巡视", "巡察") if team and lv in team), None) or find_level(text, title)
    return Inspection(level, find_kind("", team), round_, team, find_org_fallback(text, title, signer))


def find_org_fallback(text: str, title: str | None, signer: str | None) -> str | None:
    """No clause: the "向X反馈" recipient, "进驻X市" (→ X市委), the title's "X关于…", the signer."""
    m = _FEEDBACK_TO_RE.search(text)
    if m:
        org = _cut_org(m["org"])
        if org and not _TEAM_RE.fullmatch(org):
            return org
    m = _ENTERED_RE.search(text)
    if m:
        # "巡视组进驻清远市开展巡视": a place's party committee is what gets inspected.
        return m["place"] + "委"
    m = _TITLE_ORG_RE.search(title or "")
    if m:
        return m["org"]
    return signer
