"""Posts that are not about party inspections: what fills a generic 通知公告 or 工作动态 column.

Deterministic (a seed), in the phrasing of municipal portals: holidays, water cuts, recruitment,
procurement results, safety checks, traffic control, meetings and visits. None names 巡视, 巡察 or
整改, so a keyword filter on those words must pass every one of them over. Their `expected` is that
of an unrelated page (doc_type "other").
"""

from __future__ import annotations

import datetime as dt
import random

from replica import places
from replica.model import ReplicaNotice, expected_fields

_NOTICES = (
    (
        "关于{year}年国庆节放假安排的通知",
        "根据国务院办公厅通知精神,现将{year}年国庆节放假安排通知如下:10月1日至7日放假调休,共7天。",
    ),
    (
        "{district}区{road}路段临时停水通知",
        "因供水管网改造施工,{month}月{day}日8时至20时{road}路段及周边区域暂停供水,请用户提前做好储水准备。",
    ),
    (
        "关于公开招聘编外工作人员的公告",
        "因工作需要,现面向社会公开招聘编外工作人员{n}名,报名时间为{month}月{day}日至{month}月{day2}日。",
    ),
    (
        "{district}区办公设备采购项目中标结果公告",
        "本项目采用公开招标方式,经评标委员会评审,确定中标供应商,中标金额为人民币{n}万元。",
    ),
    (
        "关于开展{year}年安全生产大检查的通知",
        "为切实做好安全生产工作,决定在全市范围内开展安全生产大检查,各单位要认真组织自查。",
    ),
    (
        "{road}交通管制的通告",
        "因道路施工需要,{month}月{day}日起对{road}部分路段实施交通管制,请过往车辆绕道通行。",
    ),
    (
        "关于征求《{city}市养犬管理规定(征求意见稿)》意见的公告",
        "为广泛听取社会各界意见,现将征求意见稿全文公布,征求意见时间为{month}月{day}日至{month}月{day2}日。",
    ),
    (
        "{year}年第{n}批企业技术中心名单公示",
        "经企业申报、专家评审,拟认定以下企业为市级企业技术中心,现予以公示,公示期为5个工作日。",
    ),
)
_NEWS = (
    (
        "{city}市召开{year}年经济工作会议",
        "会议总结了过去一年的经济工作,分析了当前经济形势,部署了新一年经济工作重点任务。",
    ),
    (
        "市领导调研{district}区重点项目建设",
        "市领导一行深入{district}区重点项目建设现场,详细了解项目进展情况,要求加快推进项目建设。",
    ),
    (
        "{district}区举办{year}年秋季招聘会",
        "本次招聘会共有{n}家企业参加,提供就业岗位两千余个,吸引了众多求职者前来应聘。",
    ),
    (
        "我市开展“世界环境日”主题宣传活动",
        "活动通过展板展示、发放宣传资料等形式,向市民宣传生态环境保护知识,倡导绿色低碳生活方式。",
    ),
    (
        "{city}市{year}年上半年经济运行情况发布",
        "上半年全市地区生产总值同比增长{n}%,经济运行总体平稳、稳中有进。",
    ),
    (
        "{district}区开展防汛应急演练",
        "演练模拟强降雨引发内涝险情,检验了应急预案的可操作性和各部门的协同处置能力。",
    ),
)
_ROADS = ("情侣路", "迎宾南路", "九洲大道", "人民西路", "珠海大道", "凤凰北路", "港湾大道")


def generate_filler(
    count: int,
    seed: int = 0,
    start_id: int = 7_000_001,
    kind: str = "notices",
    source_name: str = "市政府办公室",
) -> list[ReplicaNotice]:
    """`count` unrelated posts, `kind` "notices" (通知公告) or "news" (工作动态), published between
    2023-06 and 2025-06, one every few days."""
    rng = random.Random(seed * 7 + 3)
    templates = _NOTICES if kind == "notices" else _NEWS
    day = dt.datetime(2025, 6, 20, 9, 30)
    posts = []
    for i in range(count):
        day -= dt.timedelta(days=rng.randint(2, 9), minutes=rng.randint(0, 300))
        city = rng.choice(places.CITIES)
        values = {
            "year": day.year,
            "month": day.month,
            "day": day.day,
            "day2": min(28, day.day + 10),
            "n": rng.randint(2, 60),
            "city": city.name,
            "district": rng.choice(city.districts),
            "road": rng.choice(_ROADS),
        }
        title_t, text_t = templates[i % len(templates)]
        title = title_t.format(**values)
        text = text_t.format(**values)
        posts.append(
            ReplicaNotice(
                post_id=start_id + i,
                title=title,
                published=day.strftime("%Y-%m-%d %H:%M:%S"),
                source_name=source_name,
                paragraphs=(
                    text,
                    "特此通知。" if kind == "notices" else "下一步,将持续推动各项工作落实落细。",
                ),
                expected=expected_fields(doc_type="other", title=title, published_at=day.date().isoformat()),
            )
        )
    return posts
