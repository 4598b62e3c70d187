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

from .teams import NUM, best_team, find_round, find_teams, is_numbered, is_team, several_teams

# "对X(推进…情况)开展了(为期两个月的)常规巡视": the body inspected, whoever inspects it.
# The body may be a list running over commas ("对A、B党委及所辖105个行政村,C、D所辖86个行政村开展巡察").
_CLAUSE_RE = re.compile(
    r"对(?P<org>[^。;:对]{2,160}?)(?:集中)?(?:开展了|进行了|实施了|开展|进行|实施|启动了?)"
    r"(?P<mid>[^,。;]{0,40}?)(?P<level>巡视|巡察)"
)
_FEEDBACK_TO_RE = re.compile(
    r"(?:巡视|巡察)(?:组|办)?[^。;]{0,40}?向(?P<org>[^,。;向]{2,60}?)(?:集中)?反馈"
    r"|反馈了?对(?P<org2>[^,。;]{2,60}?)的(?:巡视|巡察)"
)
# "中央第四巡视组巡视山东省工作动员会": the team's name, then the body it inspects.
_TEAM_INSPECTS_RE = re.compile(r"组(?:巡视|巡察)(?P<org>[^,。;]{2,60}?)(?:工作|情况|的|动员会|反馈会|反馈)")
_ENTERED_RE = re.compile(
    r"(?:巡视|巡察)组?(?:将|正式|已|已经|分别|先后)?(?:于[^,。;]{0,16}?)?进驻(?P<org>[^,。;进]{2,40}?)"
    r"(?:开展|进行|,|。|并|召开)"
)
_PLACE_RE = re.compile(r"^[\u4e00-\u9fff]{1,12}?[省市县区州]$")
# Where the body's name ends and the subject matter begins: "对X推进…情况开展了巡视".
_ORG_STOP = re.compile(
    r"(?:推进|推动|落实|贯彻|履行|执行|关于|开展|党风廉政|选人用人|领导班子|的?(?:政治)?巡视|的?巡察"
    r"|进行|集中|就|的(?:常规|专项|机动|提级|交叉))"
)
_ALIAS_RE = re.compile(r"\((?:以下简称|简称)[^)]*\)")
# Not a body: pronouns and words of the sentence ("对此", "对其", "对相关问题", "对反馈问题").
_NOT_ORG_RE = re.compile(
    r"^(?:此|其|这|该|他|她|我们|相关|有关|问题|反馈|巡视|巡察|整改|群众|社会|上述|前期|照|标|接|外|内|于|被)"
    r"|(?:问题|意见|情况|工作|建议|线索|整改|代表|成员|干部|动员会|反馈会|汇报会|会议|大会)$|进行|开展|召开|轮|线路"
)
# Bodies given only as a count ("2个区直部门", "40家被巡察单位党组织") name no body. A list in one
# phrase ("县人大机关等14个单位", "我县7个村(社区)党组织") is kept whole.
_COUNT_ONLY_RE = re.compile(rf"^{NUM}+(?:个|家|所)")
# A comma inside the body is a list going on ("…105个行政村,兴国镇、…"), not a new clause.
_LIST_PART_RE = re.compile(r"、|和|及|所辖")
# How a body's name ends (a subject of inspection such as "…资金管理使用" does not).
_BODY_END_RE = re.compile(
    r"(?:委|组|局|院|镇|乡|村|司|厅|办|会|处|中心|组织|单位|机关|街道|社区|团|县|市|区|省|州|部|室|校|学|所|站|队|馆|场"
    r"|厂|行|社|盟|旗|军|兵团|企业|集团|支|\))$"
)
# "我院党组", "本局": the body names itself; its full name is written elsewhere ("中共莆田市中级人民法院党组").
_SELF_RE = re.compile(r"^(?:我|本)(?P<rest>[\u4e00-\u9fff]{1,8})$")
_TITLE_ORG_RE = re.compile(r"^(?P<org>[^,。;]{2,40}?)关于")
# A signer that is an office acting for others (巡察办, 领导小组办公室), not the body inspected.
_OFFICE_RE = re.compile(r"(?:巡视|巡察)(?:工作)?(?:领导小组)?(?:办公室|办)$|(?:巡视|巡察)组$|纪委|监委|纪工委")
# A kind is a word before the level ("常规巡视", "提级、交叉巡察") or 回头看 after it.
_KIND_WORDS = "|".join(k for k in INSPECTION_KINDS if k != "回头看")
_KIND_RE = re.compile(
    rf"(?P<kinds>(?:(?:{_KIND_WORDS})式?[、和与及“”\"]{{0,2}})+)(?:巡视|巡察)(?:[“\"]?(?P<back2>回头看))?"
    rf"|(?:巡视|巡察)[“\"]?(?P<back>回头看)"
)
_KIND_ONLY = re.compile(_KIND_WORDS)
_SENTENCE_END = re.compile(r"[。;\n]")
# An unnumbered team ("省委巡视组") counts as the one that inspected when it acts in the sentence; "县委
# 巡察组反馈的问题" is a generic mention.
_ACTOR_RE = re.compile(r"(?:于|在|将|已|正式|先后|近日|日前)?[^,。;]{0,24}?(?:对|向|进驻|召开|反馈了|进行了|开展了)")


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


_VERB_LEVEL_RE = re.compile(
    r"(?:开展了|进行了|实施了|开展|进行|实施|启动了?)[^,。;]{0,40}?(?:巡视|巡察)"
)
_NOT_IN_ORG = re.compile(r"[。;:]")


def find_clause(text: str) -> re.Match[str] | None:
    """The first "对X开展…巡视/巡察" whose X reads as a body.

    Found from its verb: X holds no 对, so its 对 is the last one before the verb; matching _CLAUSE_RE
    there gives what a scan would, without trying the lazy body at every 对 of the page (对照, 针对…)."""
    for verb in _VERB_LEVEL_RE.finditer(text):
        at = text.rfind("对", max(0, verb.start() - 162), verb.start())
        if at < 0 or _NOT_IN_ORG.search(text, at, verb.start()):
            continue
        m = _CLAUSE_RE.match(text, at)
        org = cut_org(m["org"]) if m and m.end() == verb.end() else None
        # A short word that names no body is an adverb ("对扎实开展巡察工作提出要求").
        if org and (_BODY_END_RE.search(org) or len(org) > 4):
            return m
    return None


def cut_org(raw: str) -> str | None:
    org = raw.strip(" ,:“”\"")
    if org.startswith("了"):
        org = org[1:]
    if "," in org and not all(_LIST_PART_RE.search(part) for part in org.split(",")):
        return None
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
        # Substring tests first: the pattern (a run of kind words) is slow to scan for.
        if not any(word in text for word in INSPECTION_KINDS):
            continue
        for m in _KIND_RE.finditer(text):
            if m["back"]:
                found.append("回头看")
            else:
                found.extend(_KIND_ONLY.findall(m["kinds"]))
                if m["back2"]:
                    found.append("回头看")
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


def one_org(org: str | None, text: str) -> str | None:
    """`org` unless it is only a count of bodies; "我院党组" → its full name written elsewhere."""
    if org is None or _COUNT_ONLY_RE.match(org):
        return None
    m = _SELF_RE.match(org)
    if m:
        full = re.search(rf"中共(?P<name>[^《》“”,。;、()]{{2,30}}?{re.escape(m['rest'][-3:])})", text)
        return full["name"] if full else org
    return org


def _fuller(org: str | None, headline: str | None) -> str | None:
    """The headline may name the body in full where the text shortens it (相城交投集团党委 / 交投集团党委)."""
    if org and headline and headline.endswith(org) and len(headline) > len(org):
        return headline
    return org


def _recipient(source: str, text: str) -> str | None:
    """The body a team gave its feedback to ("向X反馈"); "" when that is several bodies, None if none."""
    for m in _FEEDBACK_TO_RE.finditer(source):
        org = cut_org(m["org"] or m["org2"])
        if org:
            if several_teams(source[max(0, m.start() - 40) : m.end()]):
                return ""
            return one_org(org, text) or ""
    return None


def _org_of(text: str, title: str, clause: re.Match[str] | None, sentence: str) -> str | None:
    if clause is not None:
        # "对A开展常规巡察;对B开展专项巡察": the bodies are split over the kinds — no one body.
        full = _full_sentence(text, clause)
        if full.count("对") > 1 and len(_VERB_LEVEL_RE.findall(full)) > 1:
            return None
        org = _fuller(one_org(cut_org(clause["org"]), text), _recipient(title, text))
        if org is None or _SELF_RE.match(org) or not _BODY_END_RE.search(org):
            # "对我单位进行了巡察…向中共延津县农业农村局党组反馈", "对全市…资金管理使用开展了专项巡察,…向市
            # 农业农村局党组反馈": the feedback names the body.
            recipient = _recipient(text, text)
            if recipient and not _SELF_RE.match(recipient):
                return recipient.removeprefix("中共") if org and _SELF_RE.match(org) else recipient
            if org and not _SELF_RE.match(org) and not _BODY_END_RE.search(org):
                return None  # a subject matter, and no body named for it
        return org
    m = _TEAM_INSPECTS_RE.search(title + "\n" + text[:600])
    if m and cut_org(m["org"]):
        return one_org(cut_org(m["org"]), text)
    found = [_recipient(source, text) for source in (text, title)]
    if found[0] is not None or found[1] is not None:
        body, head = found
        # The headline may name the body in full where the text shortens it (相城交投集团党委 / 交投集团党委).
        if body and head and head.endswith(body) and len(head) > len(body):
            return head
        return (body if found[0] is not None else head) or None
    m = _ENTERED_RE.search(text)
    if m:
        org = cut_org(m["org"])
        if org and _PLACE_RE.match(org):
            # "巡视组进驻清远市开展巡视": a place's party committee is what gets inspected.
            return org + "委"
        return one_org(org, text)
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
    round_ = find_round(title or "", _opening(head)[:800], body=text[:6000])
    # A numbered team anywhere in the opening; an unnumbered one ("省委巡视组") only as the clause's
    # actor — elsewhere it is a generic mention ("确保巡视整改让省委巡视组认可").
    # The clause's sentence first; the opening is scanned only when that names no team.
    teams = find_teams(sentence) if sentence else []
    named: list[re.Match[str]] = []
    if not teams:
        opening = (title or "") + "\n" + head[:1500]
        named = [m for m in find_teams(opening) if is_numbered(m[0]) or _ACTOR_RE.match(opening, m.end())]
    team = best_team(teams) if teams else best_team(named)
    # "县委第二、第三、第四巡察组", "派出三个巡察组": no one team is the subject — unless the lead names
    # the one it is about ("中央第四巡视组巡视山东省工作动员会召开。…已有8个中央巡视组…").
    if team and several_teams(sentence or _sentence_of(head, team)):
        team = None
    if team and not teams and several_teams(head[:1500]):
        # Among several teams an unnumbered name ("中央巡视组") is any of them; a numbered one counts
        # when the lead is about it.
        if not is_numbered(team) or team not in _first_sentence(title, head):
            team = None
    full = _full_sentence(head, clause) if clause is not None else ""
    kinds = find_kinds(title or "", full) if full else ()
    if not kinds:
        kinds = find_kinds(title or "", _opening(head))
    if not kinds and team:
        kinds = find_kinds(team)
    level = clause["level"] if clause is not None else None
    level = level or next((lv for lv in ("巡视", "巡察") if team and lv in team), None) or find_level(text, title)
    org = _org_of(head, title or "", clause, sentence)
    if org is None and clause is None and not several_teams(head[:600]):
        org = _title_org(title) or (signer if signer and not _OFFICE_RE.search(signer) else None)
    return Inspection(level, kinds, round_, team, org, span)


def _first_sentence(title: str | None, text: str) -> str:
    end = _SENTENCE_END.search(text)
    return (title or "") + "\n" + text[: end.start() if end else len(text)]


def _sentence_of(text: str, words: str) -> str:
    at = text.find(words)
    if at < 0:
        return text[:600]
    lo, hi = sentence_at(text, at, at + len(words))
    return text[lo:hi]


def _full_sentence(text: str, clause: re.Match[str]) -> str:
    """The clause's sentence up to its full stop (";" separates its parts, each with its own kind)."""
    lo = text.rfind("。", 0, clause.start()) + 1
    hi = text.find("。", clause.end())
    return text[lo : hi if hi >= 0 else len(text)]


def _opening(text: str) -> str:
    """The first two paragraphs: where a page states how it was inspected."""
    return "\n".join(text.split("\n", 2)[:2])


def _title_org(title: str | None) -> str | None:
    m = _TITLE_ORG_RE.search(title or "")
    if m and ("巡视" in m.string or "巡察" in m.string):
        return cut_org(m["org"])
    return None
