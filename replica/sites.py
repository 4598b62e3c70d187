"""The demo portal: the sites the offline demo and the tests crawl by default."""

from __future__ import annotations

from replica.content import seed_notices
from replica.generator import generate_news, generate_notices
from replica.model import Site


def build_demo_sites() -> list[Site]:
    """Two NFCMS columns on one host, one per list theme.

    - gdjct_zgls: 南粤清风网 整改落实 `/xunshizgls/`, theme "wendang": the three real seeds,
      25 generated notices and 2 news items, 12 a page → 3 list pages.
    - zhuhai_xsxc: a municipal column `/zhzf/xsxc/`, theme "list": 15 generated notices,
      10 a page → 2 list pages.
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
    return [gdjct, zhuhai]


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
