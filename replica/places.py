"""Guangdong places, bodies and numerals the generator draws from (real names, invented contacts)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class City:
    name: str  # "珠海" (the text adds 市)
    area_code: str  # "0756"
    postcode: str  # "519000"
    mail_domain: str  # "zhuhai.gov.cn"
    districts: tuple[str, ...]  # "金湾" (the text adds 区)

    @property
    def phone_digits(self) -> int:
        # Guangzhou and Shenzhen numbers have eight digits, the rest of the province seven.
        return 8 if self.area_code in ("020", "0755") else 7


CITIES = (
    City("广州", "020", "510000", "gz.gov.cn", ("越秀", "海珠", "天河", "白云", "黄埔", "番禺", "南沙")),
    City("深圳", "0755", "518000", "sz.gov.cn", ("福田", "罗湖", "南山", "宝安", "龙岗", "龙华")),
    City("珠海", "0756", "519000", "zhuhai.gov.cn", ("香洲", "斗门", "金湾")),
    City("汕头", "0754", "515000", "shantou.gov.cn", ("龙湖", "金平", "濠江", "潮阳", "澄海")),
    City("佛山", "0757", "528000", "foshan.gov.cn", ("禅城", "南海", "顺德", "三水", "高明")),
    City("韶关", "0751", "512000", "sg.gov.cn", ("武江", "浈江", "曲江")),
    City("河源", "0762", "517000", "heyuan.gov.cn", ("源城",)),
    City("梅州", "0753", "514000", "meizhou.gov.cn", ("梅江", "梅县")),
    City("惠州", "0752", "516000", "huizhou.gov.cn", ("惠城", "惠阳")),
    City("江门", "0750", "529000", "jiangmen.gov.cn", ("蓬江", "江海", "新会")),
    City("湛江", "0759", "524000", "zhanjiang.gov.cn", ("赤坎", "霞山", "麻章")),
    City("茂名", "0668", "525000", "maoming.gov.cn", ("茂南", "电白")),
    City("肇庆", "0758", "526000", "zhaoqing.gov.cn", ("端州", "鼎湖", "高要")),
    City("清远", "0763", "511500", "gdqy.gov.cn", ("清城", "清新")),
    City("潮州", "0768", "521000", "chaozhou.gov.cn", ("湘桥", "潮安")),
    City("揭阳", "0663", "522000", "jieyang.gov.cn", ("榕城", "揭东")),
    City("阳江", "0662", "529500", "yangjiang.gov.cn", ("江城", "阳东")),
)

ZHUHAI = CITIES[2]
GUANGZHOU = CITIES[0]

# Zhuhai towns inspected by district teams: (district, town).
ZHUHAI_TOWNS = (
    ("金湾", "三灶镇"),
    ("金湾", "红旗镇"),
    ("金湾", "平沙镇"),
    ("斗门", "井岸镇"),
    ("斗门", "白蕉镇"),
    ("斗门", "乾务镇"),
    ("斗门", "莲洲镇"),
    ("香洲", "南屏镇"),
    ("香洲", "横琴镇"),
)

# Provincial departments inspected by provincial teams: (name, short self-reference, mail prefix).
PROVINCE_DEPARTMENTS = (
    ("交通运输厅", "厅党组", "jtt"),
    ("水利厅", "厅党组", "slt"),
    ("自然资源厅", "厅党组", "nr"),
    ("住房和城乡建设厅", "厅党组", "zfcxjst"),
    ("农业农村厅", "厅党组", "dara"),
    ("卫生健康委", "委党组", "wsjkw"),
    ("市场监督管理局", "局党组", "amr"),
    ("林业局", "局党组", "lyj"),
    ("体育局", "局党组", "tyj"),
)

# Municipal bureaus inspected by city teams (the text adds 市 in front).
CITY_BUREAUS = (
    "交通运输局",
    "水务局",
    "住房和城乡建设局",
    "自然资源局",
    "农业农村局",
    "卫生健康局",
    "市场监督管理局",
    "城市管理和综合执法局",
    "教育局",
    "民政局",
    "人力资源和社会保障局",
    "生态环境局",
    "商务局",
    "统计局",
)

ROADS = ("人民路", "迎宾南路", "兴华路", "府前路", "建设路", "解放路", "东风路", "中山路", "新港路")
BUILDINGS = ("行政办公中心{n}号楼", "市委大院{n}号楼", "综合办公楼{n}楼", "政务服务中心{n}楼")

DIGITS = "〇一二三四五六七八九"


def chinese_number(n: int) -> str:
    """1..99 as Chinese numerals the way team names spell them: 十, 十一, 二十三."""
    if not 0 < n < 100:
        raise ValueError(f"chinese_number: {n} out of range 1..99")
    tens, ones = divmod(n, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else DIGITS[tens] + "十")
    return head + (DIGITS[ones] if ones else "")


def chinese_date(year: int, month: int, day: int) -> str:
    """二〇二四年九月二十六日: how some signature lines write the date."""
    return "".join(DIGITS[int(d)] for d in str(year)) + f"年{chinese_number(month)}月{chinese_number(day)}日"
