"""Who inspected whom, and how: team, level (巡视/巡察), kinds, round, inspected organisation.

Notices open with one formulaic clause, e.g.
"2023年4月24日至7月26日,省委第十一巡视组对珠海市金湾区委推进粤港澳大湾区建设情况开展了常规巡视";
news writes "3月5日,省委第三巡视组向X反馈巡视情况". Each field stands on its own evidence: the
inspected body is read from "对X开展…巡视" (whoever the team is, or with no team named), from
"向X反馈" or "进驻X"; the team from anywhere in the opening; the kinds from the whole sentence.
Input is width-folded, simplified text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from crawler.notice import INSPECTION_KINDS

from .teams import NUM, best_team, find_round, find_teams, is_team, several_teams

# "对X(推进…情况)开展了(为期两个月的)常规巡视": the body inspected, whoever inspects it.
_CLAUSE_RE = re.compile(
    r"对(?P<org>[^,。;:对]{2,80}?)(?:集中)?(?:开展了|进行了|实施了|开展|进行|实施|启动了?)"
    r"(?P<mid>[^,。;]{0,40}?)(?P<level>巡视|巡察)"
)
_FEEDBACK_TO_RE = re.compile(
    r"(?:巡视|巡察)(?:组|办)?[^。;]{0,40}?向(?P<org>[^,。;向]{2,60}?)(?:集中)?反馈"
    r"|反馈了?对(?P<org2>[^,。;]{2,60}?)的(?:巡视|巡察)"
)
_ENTERED_RE = re.compile(
    r"(?:巡视|巡察)组?(?:将|正式|已|已经|分别|先后)?(?:于[^,。;]{0,16}?)?进驻(?P<org>[^,。;进]{2,40}?)"
    r"(?:开展|进行|,|。|并|召开)"
)
_PLACE_RE = re.compile(r"^[\u4e00-\u9fff]{1,12}?[省市县区州]$")
# Where the body's name ends and the subject matter begins: "对X推进…情况开展了巡视".
_ORG_STOP = re.compile(
    r"(?:推进|推动|落实|贯彻|履行|执行|关于|开展|党风廉政|选人用人|领导班子|的?(?:政治)?巡视|的?巡察"
    r"|进行|集中|的(?:常规|专项|机动|提级|交叉))"
)
_ALIAS_RE = re.compile(r"\((?:以下简称|简称)[^)]*\)$")
# Not a body: pronouns and words of the sentence ("对此", "对其", "对相关问题", "对反馈问题").
_NOT_ORG_RE = re.compile(
    r"^(?:此|其|这|该|他|她|我们|相关|有关|问题|反馈|巡视|巡察|整改|群众|社会|上述|前期|照|标|接|外|内|于)"
    r"|(?:问题|意见|情况|工作|建议|线索|整改)$"
)
# Several bodies: "县人大机关等14个单位", "团县委、县科协…5个单位".
_MANY_ORGS_RE = re.compile(rf"等{NUM}+(?:个|家)|、[^、]+{NUM}+(?:个|家)(?:单位|部门|地区|党组织)$")
_TITLE_ORG_RE = re.compile(r"^(?P<org>[^,。;]{2,40}?)关于")
# A signer that is an office acting for others (巡察办, 领导小组办公室), not the body inspected.
_OFFICE_RE = re.compile(r"(?:巡视|巡察)(?:工作)?(?:领导小组)?(?:办公室|办)$|(?:巡视|巡察)组$|纪委|监委|纪工委")
# A kind is a word before the level ("常规巡视", "提级、交叉巡察") or 回头看 after it.
_KIND_WORDS = "|".join(k for k in INSPECTION_KINDS if k != "回头看")
_KIND_RE = re.compile(
    rf"(?P<kinds>(?:(?:{_KIND_WORDS})式?[、和与及“”\"]{{0,2}})+)(?:巡视|巡察)|(?:巡视|巡察)[“\"]?(?P<back>回头看)"
)
_KIND_ONLY = re.compile(_KIND_WORDS)
_SENTENCE_END = re.compile(r"[。;\n]")


@dataclass(frozen=True)
class Inspection:
    level: str | None = None
    kind: tuple[str, ...] = ()
    round: str | None = None
    team: str | None = None
    org: str | None = None
    clause_span: tuple[int, int] | None = None


def sentence_at(text: str, start: int, end: int) -> tuple[int, int]:
    lo = max((m.end() for m in _SENTENCE_END.finditer(text, max(0, start - 600), start)), default=0)
    if lo == 0 and start > 600:
        lo = start - 600
    after = _SENTENCE_END.search(text, end)
    return lo, after.start() if after else len(text)


def find_clause(text: str) -> re.Match[str] | None:
    """The first "对X开展…巡视/巡察" whose X reads as a body."""
    for m in _CLAUSE_RE.finditer(text):
        if cut_org(m["org"]):
            return m
    return None


def cut_org(raw: str) -> str | None:
    org = raw.strip(" ,:“”\"")
    stop = _ORG_STOP.search(org)
    if stop and stop.start() >= 2:
        org = org[: stop.start()]
    org = _ALIAS_RE.sub("", org).strip(" ,:的")
    if len(org) < 2 or _NOT_ORG_RE.search(org) or is_team(org):
        return None
    return org


def find_kinds(*texts: str) -> tuple[str, ...]:
    """Every kind stated ("常规巡视", "提级、交叉巡察", "专项巡察暨巡察“回头看”"), in reading order."""
    found: list[str] = []
    for text in texts:
        for m in _KIND_RE.finditer(text):
            if m["back"]:
                found.append("回头看")
            else:
                found.extend(_KIND_ONLY.findall(m["kinds"]))
    return tuple(dict.fromkeys(found))


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


def _org_of(text: str, clause: re.Match[str] | None, sentence: str) -> str | None:
    if clause is not None:
        if several_teams(sentence):
            return None
        org = cut_org(clause["org"])
        return None if org and _MANY_ORGS_RE.search(org) else org
    for m in _FEEDBACK_TO_RE.finditer(text):
        org = cut_org(m["org"] or m["org2"])
        if org:
            return None if _MANY_ORGS_RE.search(org) or several_teams(text[: m.end()]) else org
    m = _ENTERED_RE.search(text)
    if m:
        org = cut_org(m["org"])
        if org and _PLACE_RE.match(org):
            # "巡视组进驻清远市开展巡视": a place's party committee is what gets inspected.
            return org + "委"
        return org
    return None


def find_inspection(text: str, title: str | None = None, signer: str | None = None) -> Inspection:
    """Team, level, kinds, round and inspected body, each from its own evidence in the opening."""
    head = text[:3000]
    clause = find_clause(head)
    sentence = ""
    span = None
    if clause is not None:
        lo, hi = sentence_at(head, clause.start(), clause.end())
        sentence, span = head[lo:hi], clause.span()
    round_ = find_round(title or "", head[:800])
    teams = find_teams(sentence) if sentence else []
    if not teams:
        teams = find_teams(head[:1500])
    # "县委第二、第三、第四巡察组", "派出三个巡察组": no one team (nor one body) is the subject.
    team = None if several_teams(sentence or head[:600]) else best_team(teams)
    kinds = find_kinds(title or "", sentence) if sentence else ()
    if not kinds:
        kinds = find_kinds(title or "", _opening(head))
    if not kinds and team:
        kinds = find_kinds(team)
    level = clause["level"] if clause is not None else None
    level = level or next((lv for lv in ("巡视", "巡察") if team and lv in team), None) or find_level(text, title)
    org = _org_of(head, clause, sentence)
    if org is None and clause is None and not several_teams(head[:600]):
        org = _title_org(title) or (signer if signer and not _OFFICE_RE.search(signer) else None)
    return Inspection(level, kinds, round_, team, org, span)


def _opening(text: str) -> str:
    """The first two paragraphs: where a page states how it was inspected."""
    return "\n".join(text.split("\n", 2)[:2])


def _title_org(title: str | None) -> str | None:
    m = _TITLE_ORG_RE.search(title or "")
    if m and ("巡视" in m.string or "巡察" in m.string):
        return cut_org(m["org"])
    return None
