"""Deterministic generated notices that read like the seeds, with their exact ground truth.

Each notice is planned first (who, when, how it is phrased: `_Plan`), then written out from that
plan, so `expected` is derived from the same values the text is built from. Phrasings follow the
real seeds; the variation covers what parsers meet in the wild: 巡视/巡察, provincial, city and
district teams, 常规/专项/机动, periods in 上旬/中旬/下旬, implicit years ("2024年12月20日至1月18日"),
feedback folded into the period sentence, notices with no comment window, several phones,
full-width or half-width punctuation, numeral dates in the signature, the round in the title.
"""

from __future__ import annotations

import calendar
import datetime as dt
import random
import string
from dataclasses import dataclass

from replica import places
from replica.model import ReplicaNotice, expected_fields
from replica.places import City

DEFAULT_START_ID = 3_900_001
FIRST_PUBLISHED = dt.date(2023, 6, 1)
LAST_PUBLISHED = dt.date(2025, 6, 30)

_XUN = ("上旬", "中旬", "下旬")
# The seeds were captured with half-width ",:;()"; live pages mostly use the full-width forms.
_FULLWIDTH = str.maketrans(",:;()", "\uff0c\uff1a\uff1b\uff08\uff09")


@dataclass(frozen=True)
class _Org:
    name: str  # as the opening sentence names it: 珠海市金湾区委, 市交通运输局
    signer: str  # signature line: 中共珠海市金湾区委
    recipient: str  # who received the feedback
    short: str  # how the body refers to itself: 区委, 局党组
    party: str  # whose deployment: 省委, 市委, 区委
    city: City
    district: str  # for the postal address
    mail_prefix: str


@dataclass(frozen=True)
class _Plan:
    level: str  # 巡视 | 巡察
    kind: str  # 常规 | 专项 | 机动
    team: str
    org: _Org
    focus: str
    round: str | None
    start: dt.date
    end: dt.date
    period_text: str
    feedback: dt.date
    feedback_text: str
    feedback_in_period_sentence: bool
    published: dt.datetime
    signed: dt.date
    signed_text: str
    window: tuple[dt.date, dt.date] | None
    window_text: str
    phones: tuple[str, ...]
    email: str
    postal_label: str
    postal_address: str
    postcode: str | None
    postcode_text: str
    closing_verb: str  # 予以公布 | 报告如下
    fullwidth: bool


def _cn_date(d: dt.date, *, year: bool = True) -> str:
    return (f"{d.year}年" if year else "") + f"{d.month}月{d.day}日"


def _xun_bounds(d: dt.date) -> tuple[int, dt.date, dt.date]:
    """Index of d's xun (0 上旬, 1 中旬, 2 下旬) and that xun's first and last day."""
    index = min((d.day - 1) // 10, 2)
    first = d.replace(day=index * 10 + 1)
    last_day = calendar.monthrange(d.year, d.month)[1] if index == 2 else index * 10 + 10
    return index, first, d.replace(day=last_day)


def _pick_org(rng: random.Random, level: str) -> tuple[_Org, str]:
    """An inspected body and the team level that inspects it; returns (org, team prefix)."""
    if level == "巡视":
        shape = rng.choice(("city", "district", "district", "department"))
        if shape == "department":
            dept, short, prefix = rng.choice(places.PROVINCE_DEPARTMENTS)
            city = places.GUANGZHOU
            org = _Org(
                f"省{dept}党组",
                f"中共广东省{dept}党组",
                f"省{dept}党组",
                short,
                "省委",
                city,
                rng.choice(city.districts),
                prefix,
            )
            return org, "省委"
        city = rng.choice(places.CITIES)
        if shape == "city":
            name = f"{city.name}市委"
            org = _Org(name, f"中共{name}", name, "市委", "省委", city, rng.choice(city.districts), "")
            return org, "省委"
        district = rng.choice(city.districts)
        name = f"{city.name}市{district}区委"
        return _Org(name, f"中共{name}", name, "区委", "省委", city, district, ""), "省委"
    city = places.ZHUHAI if rng.random() < 0.6 else rng.choice(places.CITIES)
    if city is places.ZHUHAI and rng.random() < 0.35:
        district, town = rng.choice(places.ZHUHAI_TOWNS)
        org = _Org(
            f"{town}党委",
            f"中共珠海市{district}区{town}委员会",
            f"{town}党委",
            "镇党委",
            "区委",
            city,
            district,
            "",
        )
        return org, "区委"
    bureau = rng.choice(places.CITY_BUREAUS)
    signer = f"中共{city.name}市{bureau}党组"
    org = _Org(f"市{bureau}", signer, signer, "局党组", "市委", city, rng.choice(city.districts), "")
    return org, "市委"


def _mailbox(rng: random.Random, org: _Org) -> str:
    local = "".join(rng.choice(string.ascii_lowercase) for _ in range(rng.randint(4, 8)))
    if rng.random() < 0.3:
        local += str(rng.randint(1, 999))
    if rng.random() < 0.1:
        return f"{local}@163.com"
    if org.mail_prefix:  # provincial departments: jtt…@gd.gov.cn
        return f"{org.mail_prefix}{local[:4]}@gd.gov.cn"
    return f"{local}@{org.city.mail_domain}"


def _phone(rng: random.Random, city: City) -> str:
    first = rng.randint(2, 8)
    rest = "".join(str(rng.randint(0, 9)) for _ in range(city.phone_digits - 1))
    return f"{city.area_code}-{first}{rest}"


def _plan(rng: random.Random, published: dt.datetime) -> _Plan:
    level = "巡视" if rng.random() < 0.55 else "巡察"
    org, team_party = _pick_org(rng, level)
    if level == "巡视":
        kind = "常规" if rng.random() < 0.7 else "专项"
        team = f"省委第{places.chinese_number(rng.randint(1, 15))}巡视组"
    else:
        kind = rng.choice(("常规", "常规", "专项", "机动"))
        mobile = "机动" if kind == "机动" else ""
        number = rng.randint(1, 3) if mobile else rng.randint(1, 8)
        team = f"{team_party}第{places.chinese_number(number)}{mobile}巡察组"
    focus = ""
    if kind == "专项" or (level == "巡视" and rng.random() < 0.3):
        focus = rng.choice(
            (
                "推进粤港澳大湾区建设情况",
                "落实“百县千镇万村高质量发展工程”情况",
                "推进乡村振兴战略情况",
                "落实安全生产责任制情况",
                "推进生态环境保护工作情况",
            )
        )
    round_ = None
    if rng.random() < 0.2:
        term = "十三届省委" if level == "巡视" else f"{rng.choice(('八', '九'))}届{team_party}"
        round_ = f"{term}第{places.chinese_number(rng.randint(1, 6))}轮"

    day = published.date()
    feedback = day - dt.timedelta(days=rng.randint(240, 360))
    end = feedback - dt.timedelta(days=rng.randint(60, 110))
    start = end - dt.timedelta(days=rng.randint(45, 100))
    if rng.random() < 0.2:
        # "2023年3月上旬至6月中旬": the truth is the first day of the first xun, last of the last.
        si, start, _ = _xun_bounds(start)
        ei, _, end = _xun_bounds(end)
        tail = f"{end.year}年{end.month}月" if end.year != start.year else f"{end.month}月"
        period_text = f"{start.year}年{start.month}月{_XUN[si]}至{tail}{_XUN[ei]}"
    else:
        period_text = f"{_cn_date(start)}至{_cn_date(end, year=end.year != start.year)}"
    feedback_text = _cn_date(feedback, year=feedback.year != end.year or rng.random() < 0.85)

    signed = day - dt.timedelta(days=rng.choice((0, 0, 0, 0, 1, 2, 4)))
    signed_text = (
        places.chinese_date(signed.year, signed.month, signed.day)
        if rng.random() < 0.15
        else _cn_date(signed)
    )
    window = None
    window_text = ""
    if rng.random() < 0.8:
        window = (day, day + dt.timedelta(days=rng.choice((29, 29, 29, 14, 30))))
        crosses = window[1].year != window[0].year
        # Real notices mostly leave the end year implicit, even across a year end.
        explicit = crosses and rng.random() < 0.5
        window_text = f"公开期限:{_cn_date(window[0])}至{_cn_date(window[1], year=explicit)}。"

    phones = [_phone(rng, org.city)]
    if rng.random() < 0.15:
        phones.append(_phone(rng, org.city))
    road = rng.choice(places.ROADS)
    building = rng.choice(places.BUILDINGS).format(n=rng.randint(1, 9))
    address = (
        f"{org.city.name}市{org.district}区{road}{rng.randint(1, 899)}号{building}"
        f"{rng.randint(1, 9)}{rng.randint(0, 2)}{rng.randint(1, 9)}室"
    )
    postcode = None
    postcode_text = ""
    if rng.random() < 0.75:
        postcode = org.city.postcode[:4] + f"{rng.randint(0, 9)}0"
        postcode_text = rng.choice((f",邮政编码{postcode}", f",邮编:{postcode}"))
    return _Plan(
        level=level,
        kind=kind,
        team=team,
        org=org,
        focus=focus,
        round=round_,
        start=start,
        end=end,
        period_text=period_text,
        feedback=feedback,
        feedback_text=feedback_text,
        feedback_in_period_sentence=rng.random() < 0.15,
        published=published,
        signed=signed,
        signed_text=signed_text,
        window=window,
        window_text=window_text,
        phones=tuple(phones),
        email=_mailbox(rng, org),
        postal_label=rng.choice(("邮政地址", "邮政地址", "邮政信箱", "通信地址")),
        postal_address=address,
        postcode=postcode,
        postcode_text=postcode_text,
        closing_verb="报告如下" if rng.random() < 0.1 else "予以公布",
        fullwidth=rng.random() < 0.5,
    )


def _opening(p: _Plan) -> str:
    deployment = f"根据{p.round}{p.level}工作统一部署" if p.round else f"根据{p.org.party}统一部署"
    kind_word = "" if p.kind == "机动" else p.kind  # a 机动 team names its kind itself (seed 003)
    if p.feedback_in_period_sentence:
        # "…开展了常规巡视,并于2023年11月1日反馈了巡视意见。" (docs/portals.md, messy real text)
        visit = (
            f"{deployment},{p.period_text},{p.team}对{p.org.name}{p.focus}开展了{kind_word}"
            f"{p.level},并于{p.feedback_text}反馈了{p.level}意见。"
        )
    else:
        verb = "进行了" if p.level == "巡察" and not p.focus else "开展了"
        reporter = p.team if p.level == "巡察" else "省委巡视组"
        visit = (
            f"{deployment},{p.period_text},{p.team}对{p.org.name}{p.focus}{verb}{kind_word}"
            f"{p.level}。{p.feedback_text},{reporter}向{p.org.recipient}反馈了{p.level}意见。"
        )
    basis = (
        f"按照{p.level}工作有关要求"
        if p.level == "巡视" or p.closing_verb == "报告如下"
        else "根据《中国共产党巡视工作条例》和《中国共产党党内监督条例》有关规定"
    )
    return f"{visit}{basis},现将{p.level}整改进展情况{p.closing_verb}。"


_DUTIES = (
    "(一)统一思想认识,强化整改政治担当。{reporter}反馈{level}意见后,{short}第一时间召开会议,传达学习"
    "习近平总书记关于巡视工作的重要讲话精神,研究部署{level}整改工作。成立由主要负责同志任组长的"
    "{level}整改工作领导小组,坚决扛起{level}整改政治责任。",
    "(二)细化工作措施,压实整改主体责任。对照{level}反馈意见,逐条逐项分析研究、细化整改措施,"
    "制定整改落实方案,建立问题清单、任务清单和责任清单,明确责任领导、牵头单位和整改时限,"
    "挂图作战、对账销号。",
    "(三)强化监督检查,压茬推进整改落实。主动接受各方面监督,定期听取{level}整改阶段性进展情况汇报,"
    "研究解决重点难点问题,严格把握时间节点,一项一项盯紧抓实,一件一件对账销号。",
    "(四)坚持标本兼治,深化整改成果运用。坚持纠建并举、破立并进,把“当下改”与“长久立”结合起来,"
    "注重从制度机制层面剖析问题根源,以制度建设成果巩固{level}整改成效。",
)

_TOPICS = (
    ("学习贯彻习近平新时代中国特色社会主义思想和党中央决策部署", "深入学习贯彻党的创新理论"),
    ("落实全面从严治党“两个责任”", "严格履行全面从严治党主体责任"),
    ("贯彻落实新时代党的组织路线", "加强干部队伍建设"),
    ("推动高质量发展", "推进“百县千镇万村高质量发展工程”"),
    ("防范化解重大风险", "强化安全生产和风险隐患排查"),
    ("落实中央八项规定精神", "驰而不息纠“四风”树新风"),
)

_ACTIONS = (
    "坚持“第一议题”制度,开展中心组专题集中研讨{n}次,推动党的创新理论入脑入心。",
    "修订完善议事规则等制度{n}项,规范“三重一大”决策程序。",
    "{year}年组织开展专项检查{n}次,发现并督促整改问题{m}个。",
    "制定整改工作台账,明确牵头领导、责任科室和时限要求,已完成整改任务{m}项。",
    "开展警示教育{n}场次,组织党员干部参观廉政教育基地,筑牢拒腐防变思想防线。",
    "建立健全长效机制,印发工作指引{n}份,推动整改成果制度化。",
    "对涉及的{n}名干部进行提醒谈话,督促其严于律己、严负其责、严管所辖。",
)


def _body(rng: random.Random, p: _Plan) -> list[str]:
    short, level = p.org.short, p.level
    reporter = "省委巡视组" if level == "巡视" else p.team
    paragraphs = [_opening(p), f"一、{short}履行{level}整改主体责任情况"]
    paragraphs.append(
        f"{short}坚持以习近平新时代中国特色社会主义思想为指导,深入学习贯彻习近平总书记关于巡视工作"
        f"重要论述和视察广东重要讲话、重要指示精神,切实把落实{level}整改作为坚定拥护“两个确立”、"
        f"坚决做到“两个维护”的实际行动,有力有序推进{level}整改落地见效。"
    )
    for duty in _DUTIES[: rng.randint(3, 4)]:
        paragraphs.append(duty.format(reporter=reporter, level=level, short=short))
    paragraphs.append(f"二、{level}整改任务落实情况")
    for i, (topic, item) in enumerate(rng.sample(_TOPICS, rng.randint(2, 4))):
        paragraphs.append(f"({places.chinese_number(i + 1)})关于{topic}方面")
        paragraphs.append(f"{i + 1}.{item}")
        for j, action in enumerate(rng.sample(_ACTIONS, rng.randint(2, 3))):
            text = action.format(n=rng.randint(2, 12), m=rng.randint(5, 60), year=p.end.year)
            paragraphs.append(f"{places.chinese_number(j + 1)}是{text}")
    paragraphs.append("三、下一步工作打算")
    paragraphs.append(
        f"经过集中整改,{level}整改工作取得了阶段性成效。下一步,{short}将进一步提高政治站位,持续巩固"
        f"拓展{level}整改成果,对已完成的整改任务适时组织“回头看”,对需长期整改的任务紧盯不放、"
        f"久久为功,以整改实效推动高质量发展。"
    )
    phones = "、".join(p.phones)
    paragraphs.append(
        f"欢迎广大干部群众对{level}整改落实情况进行监督。如有意见建议,请及时向我们反映。"
        f"{p.window_text}联系电话:{phones};{p.postal_label}:{p.postal_address}{p.postcode_text};"
        f"电子邮箱:{p.email}。"
    )
    paragraphs += [p.org.signer, p.signed_text]
    if p.fullwidth:
        paragraphs = [text.translate(_FULLWIDTH) for text in paragraphs]
    return paragraphs


def _expected(p: _Plan, title: str) -> dict[str, object]:
    return expected_fields(
        doc_type="rectification_notice",
        title=title,
        published_at=p.published.date().isoformat(),
        inspection_level=p.level,
        inspection_kind=p.kind,
        inspection_round=p.round,
        inspection_team=p.team,
        inspected_org=p.org.name,
        inspection_start=p.start.isoformat(),
        inspection_end=p.end.isoformat(),
        feedback_date=p.feedback.isoformat(),
        disclosure_start=p.window[0].isoformat() if p.window else None,
        disclosure_end=p.window[1].isoformat() if p.window else None,
        phones=list(p.phones),
        emails=[p.email],
        postal_address=p.postal_address,
        postcode=p.postcode,
        signer=p.org.signer,
        signed_date=p.signed.isoformat(),
    )


def _publication_times(
    rng: random.Random, count: int, between: tuple[dt.date, dt.date] | None = None
) -> list[dt.datetime]:
    first, last = between or (FIRST_PUBLISHED, LAST_PUBLISHED)
    span = (last - first).days
    days = [first + dt.timedelta(days=rng.randint(0, span)) for _ in range(count)]
    if count > 3 and between is None:
        # Guarantee a comment window that runs across a year end.
        days[3] = dt.date(rng.choice((2023, 2024)), 12, rng.randint(10, 28))
    return sorted(
        dt.datetime(d.year, d.month, d.day, rng.randint(8, 17), rng.choice((0, 0, 30, 15, 45))) for d in days
    )


def generate_notices(
    count: int,
    seed: int = 0,
    start_id: int = DEFAULT_START_ID,
    source_name: str = "南粤清风网",
    published_between: tuple[dt.date, dt.date] | None = None,
) -> list[ReplicaNotice]:
    """`count` rectification notices, oldest first, ids rising with time; same seed, same notices.

    `published_between` (first, last day) replaces the default span 2023-06-01..2025-06-30, e.g. to
    make a notice newer than everything a column holds (replica.mutations.next_notice)."""
    if published_between is not None and published_between[0] > published_between[1]:
        raise ValueError(f"generate_notices: empty span {published_between}")
    rng = random.Random(seed)
    notices = []
    post_id = start_id
    for published in _publication_times(rng, count, published_between):
        plan = _plan(rng, published)
        title = f"{plan.org.signer}关于{plan.round or ''}{plan.level}整改进展情况的通报"
        notices.append(
            ReplicaNotice(
                post_id=post_id,
                title=title,
                published=published.strftime("%Y-%m-%d %H:%M:%S"),
                source_name=source_name,
                paragraphs=_body(rng, plan),
                expected=_expected(plan, title),
            )
        )
        post_id += rng.randint(3, 400)
    return notices


def generate_news(
    count: int,
    seed: int = 0,
    start_id: int = DEFAULT_START_ID + 500_000,
    source_name: str = "南粤清风网",
) -> list[ReplicaNotice]:
    """Articles about inspections, half of each kind:

    - `feedback_news` ("省委第三巡视组向汕头市反馈巡视情况"): the inspection it reports (level, team,
      inspected organisation) is expected, but no notice fields (window, contacts, signature);
    - `inspection_announcement` ("…进驻…开展常规巡视"): the team's arrival date, its duty phone and
      P.O. box, and the period in which it accepts reports (arrival → deadline) as the window.

    Both mention dates and contacts on purpose, so a parser that takes any page's contacts as a
    rectification notice's feedback channel is caught out.
    """
    rng = random.Random(seed + 7919)
    news = []
    post_id = start_id
    for published in _publication_times(rng, count):
        city = rng.choice(places.CITIES)
        team = f"省委第{places.chinese_number(rng.randint(1, 15))}巡视组"
        day = published.date()
        stated = {"title": None, "published_at": day.isoformat(), "inspection_level": "巡视",
                  "inspection_team": team, "inspected_org": f"{city.name}市委"}
        if rng.random() < 0.5:
            title = f"{team}向{city.name}市反馈巡视情况"
            paragraphs = [
                f"近日,{team}向{city.name}市委反馈巡视情况。反馈会议分别召开,{team}组长向{city.name}市委"
                f"主要负责同志反馈了巡视情况,并向{city.name}市委领导班子反馈了巡视情况。",
                f"{team}指出,{city.name}市委坚持以习近平新时代中国特色社会主义思想为指导,推动党中央"
                f"决策部署和省委工作要求在本地区落地落实,同时也发现了一些问题。",
                f"{city.name}市委表示,将坚决扛起巡视整改政治责任,以坚决态度抓好巡视整改,按照有关要求"
                f"及时向社会公布巡视整改进展情况。",
            ]
            stated["doc_type"] = "feedback_news"
        else:
            title = f"{team}进驻{city.name}市开展常规巡视"
            start = day - dt.timedelta(days=rng.randint(1, 4))
            end = start + dt.timedelta(days=60)
            phone = _phone(rng, city)
            box = f"{city.name}市A{rng.randint(100, 999)}号信箱"
            paragraphs = [
                f"{_cn_date(start)},{team}进驻{city.name}市开展常规巡视,并召开巡视工作动员会。",
                f"巡视期间,{team}设立专门值班电话:{phone},专门邮政信箱:{box}。"
                f"巡视组受理信访时间截止到{_cn_date(end, year=False)}。",
                "根据巡视工作条例规定,巡视组主要受理反映被巡视党组织领导班子及其成员问题的来信来电来访。",
            ]
            stated.update(doc_type="inspection_announcement", inspection_kind=["常规"], inspection_start=start.isoformat(),
                          disclosure_start=start.isoformat(), disclosure_end=end.isoformat(),
                          phones=[phone], postal_address=box)
        stated["title"] = title
        news.append(
            ReplicaNotice(
                post_id=post_id,
                title=title,
                published=published.strftime("%Y-%m-%d %H:%M:%S"),
                source_name=source_name,
                paragraphs=paragraphs,
                expected=expected_fields(**stated),
            )
        )
        post_id += rng.randint(3, 400)
    return news
