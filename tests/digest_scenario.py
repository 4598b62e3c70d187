"""A store with every digest section in it, built through the Store API at fixed times.

Used by the golden, delivery and CLI digest tests. "Now" is NOW (10:00 in China on 2024-10-08);
events since SINCE belong to the digest, older ones are the baseline.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, date, datetime
from pathlib import Path

from crawler.items import DetailFailure, NoticeItem
from crawler.notice import Notice
from monitor.store.db import Store

NOW = datetime(2024, 10, 8, 2, 0, tzinfo=UTC)
TODAY = date(2024, 10, 8)
SINCE = "2024-10-01T00:00:00+00:00"
GDJCT = "https://www.gdjct.gd.gov.cn/xunshizgls/content/"
ZHUHAI = "https://www.zhuhai.gov.cn/xw/xwzx_44483/zhxw/content/"

SOURCES = {
    "gdjct_zgls": "南粤清风网 · 整改落实",
    "zhuhai_xc": "珠海市纪委监委 · 巡察整改",
    "hengqin_tzgg": "横琴粤澳深度合作区 · 通知公告",
    "heyuan_xc": "河源市纪委监委 · 巡察工作",
}

BODY_HQ = ("根据省委统一部署,2023年4月23日至7月31日,省委第十巡视组对省委横琴工委开展了专项巡视。"
           "2023年10月26日,省委巡视组向省委横琴工委反馈了巡视意见。现将巡视整改进展情况予以公布。\n"
           "公开期限:2024年9月26日至10月25日。联系电话:0756-8841234;电子邮箱:hqxszg@hengqin.gov.cn。")
BODY_XZ = ("根据市委统一部署,2024年3月至5月,市委第三巡察组对香洲区住房和城乡建设局党组开展了常规巡察。"
           "现将巡察整改进展情况予以公布。\n公开期限:2024年10月8日至11月7日。联系电话:0756-2212345。"
           "邮政地址:珠海市香洲区康宁路1号,邮编519000。")


def notice(title: str, url: str, source_id: str, **fields: object) -> Notice:
    body = str(fields.pop("body_text", title))
    fields.setdefault("inspection_level", "巡视")
    return Notice(doc_type="rectification_notice", title=title, url=url, source_id=source_id, body_text=body,
                  content_hash=hashlib.sha256(body.encode()).hexdigest(), **fields)


def item(n: Notice, at: str) -> NoticeItem:
    return NoticeItem(n.source_id or "", n.url or "", n, at, hashlib.sha256((n.url or "").encode()).hexdigest())


def build_store(path: Path) -> Store:
    store = Store(path, removal_after=3)
    for source_id, name in SOURCES.items():
        store.sync_source(source_id, name, "nfcms", [f"https://example.invalid/{source_id}/"])
    store.db.execute("update sources set first_seen = '2024-06-01T00:00:00+00:00'")
    hq = notice("中共广东省委横琴粤澳深度合作区工作委员会关于巡视整改进展情况的通报", GDJCT + "post_4512001.html",
                "gdjct_zgls", inspected_org="省委横琴工委", inspection_team="省委第十巡视组",
                inspection_round="十四届省委第二轮", inspection_kind=("专项",), published_at="2024-09-26",
                disclosure_start="2024-09-26", disclosure_end="2024-10-25", phones=("0756-8841234",),
                emails=("hqxszg@hengqin.gov.cn",), body_text=BODY_HQ)
    jm = notice("中共江门市委关于巡视整改进展情况的通报", GDJCT + "post_4512002.html", "gdjct_zgls",
                inspected_org="江门市委", inspection_team="省委第六巡视组", published_at="2024-09-30",
                disclosure_start="2024-09-30", disclosure_end="2024-10-10", phones=("0750-3501234",))
    old = notice("中共韶关市委关于巡视整改进展情况的通报", GDJCT + "post_4398003.html", "gdjct_zgls",
                 inspected_org="韶关市委", inspection_team="省委第二巡视组", published_at="2024-03-01",
                 disclosure_start="2024-03-01", disclosure_end="2024-03-31")
    moving = notice("中共珠海市斗门区委关于巡察整改进展情况的通报", ZHUHAI + "post_3900001.html", "zhuhai_xc",
                    inspection_level="巡察", inspected_org="斗门区委", published_at="2024-08-20")
    back = notice("中共珠海市金湾区委关于巡察整改进展情况的通报", ZHUHAI + "post_3900002.html", "zhuhai_xc",
                  inspected_org="金湾区委", published_at="2024-08-21")
    xz = notice("中共珠海市香洲区住房和城乡建设局党组关于市委巡察整改进展情况的通报", ZHUHAI + "post_3900009.html",
                "zhuhai_xc", inspected_org="香洲区住房和城乡建设局党组", inspection_team="市委第三巡察组",
                published_at="2024-10-08", disclosure_start="2024-10-08", disclosure_end="2024-11-07",
                phones=("0756-2212345",), postal_address="珠海市香洲区康宁路1号", postcode="519000",
                body_text=BODY_XZ)
    hy = notice("中共河源市委关于巡视整改进展情况的通报", "https://www.heyuan.gov.cn/zwgk/post_77.html", "heyuan_xc",
                inspected_org="河源市委", published_at="2024-09-01")
    # baseline (before SINCE)
    for n in (old, moving, back, hy):
        store.save_item(item(n, "2024-09-10T01:00:00+00:00"))
    fail = DetailFailure("zhuhai_xc", back.url or "", "HTTP 404", "gone", "2024-09-20T01:00:00+00:00")
    for _ in range(3):
        store.record_failure(fail, today=date(2024, 9, 20))
    # the digest's events
    store.save_item(item(hq, "2024-10-02T01:00:00+00:00"))
    store.save_item(item(jm, "2024-10-03T01:00:00+00:00"))
    store.save_item(item(xz, "2024-10-08T01:00:00+00:00"))
    edited = xz.replace(disclosure_end="2024-11-21", phones=("0756-2212345", "0756-2219999"),
                        body_text=BODY_XZ.replace("11月7日", "11月21日").replace("。邮政", ";0756-2219999。邮政"))
    store.save_item(item(edited.replace(content_hash=hashlib.sha256(edited.body_text.encode()).hexdigest()),
                         "2024-10-08T01:30:00+00:00"))
    for when in ("2024-10-06T01:00:00+00:00", "2024-10-07T01:00:00+00:00", "2024-10-08T01:00:00+00:00"):
        store.record_failure(DetailFailure("gdjct_zgls", hq.url or "", "HTTP 404", "gone", when), today=TODAY)
        store.record_failure(DetailFailure("gdjct_zgls", old.url or "", "HTTP 404", "gone", when), today=TODAY)
    store.save_item(item(moving.replace(url=ZHUHAI + "post_3900101.html"), "2024-10-05T01:00:00+00:00"))
    store.save_item(item(back, "2024-10-05T02:00:00+00:00"))
    _runs(store)
    return store


def _runs(store: Store) -> None:
    """Latest crawl per source: gdjct ok, zhuhai ok, hengqin blocked, heyuan last succeeded 20 days ago."""
    plan = [
        ("heyuan_xc", "completed", [], "2024-09-18T01:00:00+00:00"),
        ("gdjct_zgls", "completed", [], "2024-10-08T01:00:00+00:00"),
        ("zhuhai_xc", "completed", [], "2024-10-08T01:00:00+00:00"),
        ("hengqin_tzgg", "completed", [], "2024-10-01T01:00:00+00:00"),
        ("hengqin_tzgg", "failed", ["blocked: 412 with a JavaScript cookie challenge "
                                    "(https://www.hengqin.gov.cn/hqzq/tzgg/index.html)"], "2024-10-08T01:00:00+00:00"),
        ("heyuan_xc", "failed", ["list_failed: HTTP 503 (https://www.heyuan.gov.cn/zwgk/index.html)"],
         "2024-10-07T01:00:00+00:00"),
    ]
    for source_id, status, problems, at in plan:
        run_id = store.start_run(source_id, mode="incremental")
        store.finish_run(run_id, status, 1, problems, {})
        store.db["runs"].update(run_id, {"started_at": at, "finished_at": at, "problems": json.dumps(problems)})
