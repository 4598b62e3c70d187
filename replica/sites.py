"""The demo portal: the sites the offline demo and the tests crawl by default."""

from __future__ import annotations

import datetime as dt

from replica.content import seed_notices
from replica.generator import generate_news, generate_notices
from replica.model import ReplicaNotice, Site


def build_demo_sites(today: dt.date | None = None) -> list[Site]:
    """Two NFCMS columns on one host, one per list theme.

    - gdjct_zgls: 南粤清风网 整改落实 `/xunshizgls/`, theme "wendang": the three real seeds,
      25 generated notices and 2 news items, 12 a page → 3 list pages.
    - zhuhai_xsxc: a municipal column `/zhzf/xsxc/`, theme "list": 15 generated notices,
      10 a page → 2 list pages.

    With `today`, also the recent notices of replica/headline.py (4 on gdjct_zgls, 2 on
    zhuhai_xsxc) whose windows are set relative to that day: some open, one closing within three
    days, some closed; replica.headline.apply_changes stages the demo's edits between crawls.
    """
    gdjct = Site(
        id="gdjct_zgls",
        column="/xunshizgls/",
        theme="wendang",
        per_page=12,
        site_name="南粤清风网",
        column_name="整改落实",
        parent_name="广东省巡视巡察工作专栏",
        notices=[
            *seed_notices(),
            *generate_notices(25, seed=1, start_id=3_900_001),
            *generate_news(2, seed=1, start_id=4_400_001),
        ],
    )
    zhuhai = Site(
        id="zhuhai_xsxc",
        column="/zhzf/xsxc/",
        theme="list",
        per_page=10,
        site_name="珠海市人民政府",
        column_name="巡视巡察",
        parent_name="政务公开",
        notices=generate_notices(15, seed=2, start_id=5_100_001, source_name="珠海市纪委监委"),
    )
    sites = [gdjct, zhuhai]
    if today is not None:
        from replica.headline import add_recent

        add_recent(sites, today)
    return sites


def build_theme_sites() -> list[Site]:
    """Three more NFCMS columns on one host, one per further list/detail theme (replica/themes.py).

    - zhuhai_gkml: `/zwgk/xczg/`, theme "news_list": 14 generated notices, 6 a page → 3 pages.
    - hengqin_zgls: `/hqzgls/`, theme "table": 12 notices, 5 a page → 3 pages;
      its 热点推荐 sidebar links the newest posts of zhuhai_gkml (another column, same host).
    - heyuan_xcgz: `/m/xcgz/`, theme "mobile": 9 notices, 4 a page → 3 pages.
    """
    zhuhai = Site(
        id="zhuhai_gkml",
        column="/zwgk/xczg/",
        theme="news_list",
        per_page=6,
        site_name="珠海市人民政府",
        column_name="巡察整改",
        parent_name="政务公开",
        notices=generate_notices(14, seed=11, start_id=6_100_001, source_name="珠海市人民政府办公室"),
    )
    hengqin = Site(
        id="hengqin_zgls",
        column="/hqzgls/",
        theme="table",
        per_page=5,
        site_name="横琴粤澳深度合作区",
        column_name="整改落实",
        parent_name="党建工作",
        notices=generate_notices(12, seed=12, start_id=6_200_001, source_name="合作区纪检监察室"),
    )
    heyuan = Site(
        id="heyuan_xcgz",
        column="/m/xcgz/",
        theme="mobile",
        per_page=4,
        site_name="河源市人民政府",
        column_name="巡察工作",
        notices=generate_notices(9, seed=13, start_id=6_300_001, source_name="河源市纪委监委"),
    )
    return [zhuhai, hengqin, heyuan]


# -- the other CMS kinds (replica/schemes.py), one builder per kind, each site on a host of its own


def build_trs_sites() -> list[Site]:
    """TRS WCM: the ccdi 巡视巡察 column and a GBK municipal TRS column.

    - ccdi_xsxc: `/xsxcn/`, theme "ccdi" (h2.tit, div.daty_con em, div.TRS_Editor): 13 notices,
      5 a page → index.html, index_1.html, index_2.html.
    - trs_gbk: `/xxgk/xsxc/`, theme "gb2312", served in GBK: 7 notices, 4 a page → 2 pages.
    """
    ccdi = Site(
        id="ccdi_xsxc",
        column="/xsxcn/",
        theme="ccdi",
        per_page=5,
        site_name="中央纪委国家监委网站",
        column_name="巡视巡察",
        kind="trs",
        notices=generate_notices(13, seed=21, start_id=378_001, source_name="中央纪委国家监委网站"),
    )
    gbk = Site(
        id="trs_gbk",
        column="/xxgk/xsxc/",
        theme="gb2312",
        per_page=4,
        site_name="某市人民政府",
        column_name="巡察整改",
        kind="trs",
        encoding="gbk",
        notices=generate_notices(7, seed=22, start_id=1_200_001, source_name="市纪委监委"),
    )
    return [ccdi, gbk]


def build_gkmlpt_sites() -> list[Site]:
    """gkmlpt: one catalogue category of a Zhuhai bureau, sid 760001, category 2929, 100 a page
    (as real sites): 104 notices → 2 API pages. 文号 on some posts; two API entries lack 索引号."""
    notices = generate_notices(104, seed=31, start_id=3_600_001, source_name="珠海市纪委监委")
    ids = [n.post_id for n in notices]
    return [
        Site(
            id="zhuhai_gkmlpt",
            column="/gkmlpt/",
            theme="gkmlpt",
            per_page=100,
            site_name="珠海市人民政府",
            column_name="巡视巡察整改",
            kind="gkmlpt",
            notices=notices,
            options={
                "sid": "760001",
                "category": 2929,
                "document_numbers": {pid: f"珠纪发〔2024〕{i + 1}号" for i, pid in enumerate(ids[::7])},
                "api_blank": {ids[3], ids[50]},
            },
        )
    ]


def build_hanweb_sites() -> list[Site]:
    """Hanweb 大汉: one GBK column `/col/col1234/` (unitid 5678, webid 2), 5 records a page
    (jpage asks for 15 a POST): 19 notices → 2 proxy requests."""
    return [
        Site(
            id="heyuan_hanweb",
            column="/col/col1234/",
            theme="hanweb",
            per_page=5,
            site_name="河源市人民政府",
            column_name="巡察整改",
            kind="hanweb",
            encoding="gbk",
            notices=generate_notices(19, seed=41, start_id=567_001, source_name="河源市纪委监委"),
            options={"columnid": 1234, "unitid": 5678, "webid": 2},
        )
    ]


# Macao Daily articles that are not about inspections: the e-paper source must skip them.
_EPAPER_FILLER = (
    (
        "澳門特區政府公佈新一年財政預算案",
        "特區政府昨日公佈新一年財政預算案,預計公共開支較上年度增加百分之五,重點投放於民生、醫療及教育範疇。",
    ),
    (
        "本澳今日天晴間中多雲 氣溫介乎二十六至三十二度",
        "地球物理氣象局表示,受副熱帶高壓脊影響,本澳今日天晴間中多雲,吹和緩東風,氣溫介乎二十六至三十二度。",
    ),
    (
        "澳門隊在區域足球邀請賽中勝出",
        "澳門隊昨晚在區域足球邀請賽中以二比一擊敗對手,教練表示球員表現出色,將全力備戰下一場比賽。",
    ),
    (
        "多家酒店推出中秋節優惠套餐",
        "中秋節將至,本澳多家酒店推出節日優惠套餐,包括月餅禮盒及住宿優惠,吸引不少旅客及居民預訂。",
    ),
    (
        "環境局呼籲市民減少使用膠袋",
        "環境保護局昨日呼籲市民購物時自備購物袋,減少使用膠袋,共同為保護環境出一分力。",
    ),
)


def traditional(notice: ReplicaNotice) -> ReplicaNotice | None:
    """A generated notice as a Macao Daily reprint: text in traditional script, fields as the parser
    reports them (title as printed, script hant, the rest simplified). None when simplified →
    traditional → simplified does not give the same text back (then the truth would be unsure)."""
    import opencc

    s2t, t2s = opencc.OpenCC("s2t"), opencc.OpenCC("t2s")
    paragraphs = [s2t.convert(p) for p in notice.paragraphs]
    title = s2t.convert(notice.title)
    if [t2s.convert(p) for p in paragraphs] != list(notice.paragraphs) or t2s.convert(title) != notice.title:
        return None
    expected = {**notice.expected, "title": title, "script": "hant", "published_at": notice.published_date}
    return notice.replace(
        title=title, paragraphs=tuple(paragraphs), source_name="澳門日報", expected=expected
    )


def build_epaper_sites() -> list[Site]:
    """Founder e-paper (Macao Daily): 9 generated notices reprinted in traditional script, each in
    the edition of its publication day (3 pages an edition), and 5 unrelated articles in the same
    editions that the keyword filter must skip."""
    from replica.model import Presentation

    reprints: list[ReplicaNotice] = []
    for candidate in generate_notices(20, seed=51, start_id=1_765_001):
        converted = traditional(candidate)
        if converted is not None:
            reprints.append(converted.replace(published=f"{candidate.published_date} 06:00:00"))
        if len(reprints) == 9:
            break
    filler = [
        ReplicaNotice(
            post_id=1_766_001 + i,
            title=title,
            published=reprints[i].published,
            source_name="澳門日報",
            paragraphs=(text, text),
            presentation=Presentation(),
        )
        for i, (title, text) in enumerate(_EPAPER_FILLER)
    ]
    return [
        Site(
            id="macaodaily",
            column="/html/",
            theme="founder",
            per_page=10,
            site_name="澳門日報",
            column_name="電子版",
            kind="founder_epaper",
            notices=[*reprints, *filler],
            options={"pages": 3},
        )
    ]


def build_html_list_sites() -> list[Site]:
    """A portal of no known CMS (`html_list`): 11 notices, 4 a page → 3 pages by "下一页" links."""
    return [
        Site(
            id="other_cms",
            column="/news/",
            theme="html_list",
            per_page=4,
            site_name="某区纪委监委",
            column_name="巡察整改",
            kind="html_list",
            notices=generate_notices(11, seed=61, start_id=88_001, source_name="区纪委监委"),
        )
    ]
