"""A municipal portal with a home page, navigation and columns of different kinds and content
mixes: what `noticewatch discover` and relevance filtering are tested on.

`build_city_portal()` — one host, in navigation order:

- 工作动态 `/zwdt/` (NFCMS, theme "news_list"): 16 news items, 2 of them about inspections
  (feedback news) — a news column, relevant only now and then;
- 通知公告 `/tzgg/` (NFCMS, theme "wendang", column id 30002, so it has the column JSON): 3
  rectification notices among 36 unrelated notices (holidays, water cuts, procurement…), 12 a page;
- 巡察整改 `/xczg/` (NFCMS, theme "list", column id 30003): 9 rectification notices and one
  inspection announcement — the dedicated column;
- 专题专栏 `/ztzl/` (NFCMS): linked from the navigation and the home page, every page 404 — a dead column;
- 政府信息公开 `/gkmlpt/` (gkmlpt, sid 756001): a 巡视巡察 category (4011, 4 notices) under 综合政务;
- 图片新闻 `/tpxw/` (NFCMS, theme "mobile"): 8 news items, none about inspections.
"""

from __future__ import annotations

from replica.filler import generate_filler
from replica.generator import generate_news, generate_notices
from replica.model import Site

SITE_NAME = "某市人民政府"


def build_city_portal() -> list[Site]:
    news = Site(
        id="city_zwdt",
        column="/zwdt/",
        theme="news_list",
        per_page=8,
        site_name=SITE_NAME,
        column_name="工作动态",
        notices=[
            *generate_filler(14, seed=71, start_id=7_100_001, kind="news"),
            *[
                n
                for n in generate_news(4, seed=71, start_id=7_150_001)
                if n.expected.get("doc_type") == "feedback_news"
            ][:2],
        ],
    )
    generic = Site(
        id="city_tzgg",
        column="/tzgg/",
        theme="wendang",
        per_page=12,
        site_name=SITE_NAME,
        column_name="通知公告",
        notices=[
            *generate_filler(36, seed=72, start_id=7_200_001, kind="notices"),
            *generate_notices(3, seed=72, start_id=7_250_001, source_name="市纪委监委"),
        ],
        options={"column_id": 30002, "site_id": "756001"},
    )
    dedicated = Site(
        id="city_xczg",
        column="/xczg/",
        theme="list",
        per_page=6,
        site_name=SITE_NAME,
        column_name="巡察整改",
        parent_name="党风廉政",
        notices=[
            *generate_notices(9, seed=73, start_id=7_300_001, source_name="市委巡察办"),
            *[
                n
                for n in generate_news(4, seed=73, start_id=7_350_001)
                if n.expected.get("doc_type") == "inspection_announcement"
            ][:1],
        ],
        options={"column_id": 30003, "site_id": "756001"},
    )
    dead = Site(
        id="city_ztzl",
        column="/ztzl/",
        theme="list",
        per_page=10,
        site_name=SITE_NAME,
        column_name="专题专栏",
        options={"dead": True},
    )
    pictures = Site(
        id="city_tpxw",
        column="/tpxw/",
        theme="mobile",
        per_page=6,
        site_name=SITE_NAME,
        column_name="图片新闻",
        notices=generate_filler(8, seed=74, start_id=7_400_001, kind="news"),
    )
    catalogue = Site(
        id="city_gkmlpt",
        column="/gkmlpt/",
        theme="gkmlpt",
        per_page=100,
        site_name=SITE_NAME,
        column_name="巡视巡察",
        kind="gkmlpt",
        notices=generate_notices(4, seed=75, start_id=7_500_001, source_name="市纪委监委"),
        options={"sid": "756001", "category": 4011},
    )
    return [news, generic, dedicated, dead, catalogue, pictures]
