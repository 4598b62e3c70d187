"""A store for the reader's tests, built through the Store API with windows relative to a given day,
and a real reader server (uvicorn, on 127.0.0.1, port 0) on a thread.

Notices (ids in insertion order):
  1 open, closes in 12 days, edited once (window extended, a phone added) → 2 versions
  2 closing soon (2 days left)
  3 closed last month
  4 withdrawn while its window was open (3 failed fetches)
  5 a hostile page: markup and script in its title, body and contacts, a javascript: "URL" on a
    trusted-looking source — its window is open, and it mentions 横琴 (a two-character word)
  6 traditional script (橫琴), window open, on the second source
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from crawler.items import DetailFailure, NoticeItem
from crawler.notice import Notice
from monitor.store.db import Store

BASE = "https://www.gdjct.gd.gov.cn/xunshizgls/content/"
HOSTILE_TITLE = '<script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2">横琴工委巡视整改通报'
HOSTILE_BODY = ('根据省委统一部署,省委第十巡视组对横琴工委开展了巡视。<iframe src="https://evil.invalid/"></iframe>'
                '<script>document.title = "pwned"</script>公开期限见下。')


def notice(title: str, url: str, source_id: str, published: date, start: date | None, end: date | None,
           body: str, **fields: object) -> Notice:
    return Notice(doc_type="rectification_notice", title=title, url=url, source_id=source_id,
                  published_at=published.isoformat(), inspection_level="巡视",
                  disclosure_start=start.isoformat() if start else None,
                  disclosure_end=end.isoformat() if end else None, body_text=body,
                  content_hash=hashlib.sha256(body.encode()).hexdigest(), **fields)


def _item(n: Notice, at: datetime) -> NoticeItem:
    return NoticeItem(n.source_id or "", n.url or "", n, at.isoformat(timespec="seconds"),
                      hashlib.sha256((n.url or "").encode()).hexdigest())


def build_reader_store(path: Path, today: date) -> None:
    d = lambda days: today + timedelta(days=days)  # noqa: E731
    at = datetime.combine(today, datetime.min.time(), UTC)
    store = Store(path, removal_after=3)
    try:
        store.sync_source("gdjct_zgls", "南粤清风网 · 整改落实", "nfcms", ["https://www.gdjct.gd.gov.cn/xunshizgls/"])
        store.sync_source("macao_daily", "澳門日報", "founder_epaper", ["http://www.macaodaily.com/html/"])
        body1 = f"现将巡视整改进展情况予以公布。公开期限:{d(-18).isoformat()}至{d(12).isoformat()}。联系电话:0756-8841234。"
        first = notice("中共珠海市金湾区委关于巡察整改进展情况的通报", BASE + "post_5001.html", "gdjct_zgls", d(-18), d(-18),
                       d(5), body1.replace(d(12).isoformat(), d(5).isoformat()), inspected_org="珠海市金湾区委",
                       inspection_team="市委第二巡察组", phones=("0756-8841234",), emails=("jwxc@zhuhai.gov.cn",),
                       postal_address="珠海市金湾区行政办公中心8号楼108室", postcode="519090")
        store.save_item(_item(first, at - timedelta(days=10)))
        edited = first.replace(disclosure_end=d(12).isoformat(), phones=("0756-8841234", "0756-8845678"),
                               body_text=body1 + "另设电话0756-8845678。")
        store.save_item(_item(edited.replace(content_hash=hashlib.sha256(edited.body_text.encode()).hexdigest()),
                              at - timedelta(days=1)))
        soon = notice("中共江门市委关于巡视整改进展情况的通报", BASE + "post_5002.html", "gdjct_zgls", d(-27), d(-27), d(2),
                      "江门市委巡视整改进展情况。", inspected_org="江门市委", phones=("0750-3501234",))
        closed = notice("中共韶关市委关于巡视整改进展情况的通报", BASE + "post_5003.html", "gdjct_zgls", d(-60), d(-60),
                        d(-31), "韶关市委巡视整改进展情况。", inspected_org="韶关市委")
        gone = notice("中共汕头市委关于巡视整改进展情况的通报", BASE + "post_5004.html", "gdjct_zgls", d(-5), d(-5), d(25),
                      "汕头市委巡视整改进展情况。", inspected_org="汕头市委", phones=("0754-8881234",))
        hostile = notice(HOSTILE_TITLE, "javascript:alert(document.cookie)", "gdjct_zgls", d(-3), d(-3), d(20),
                         HOSTILE_BODY, inspected_org='<b onmouseover="alert(1)">横琴工委</b>',
                         phones=('<a href="javascript:alert(1)">0756-1</a>',), emails=("x@y.cn<script>",))
        hant = notice("中共廣東省委橫琴粵澳深度合作區工作委員會關於巡視整改進展情況的通報", "http://www.macaodaily.com/html/"
                      "2024-10/08/content_1234567.htm", "macao_daily", d(-2), d(-2), d(27),
                      "橫琴工委巡視整改進展情況。", script="hant", inspected_org="省委橫琴工委")
        for i, n in enumerate((soon, closed, gone, hostile, hant)):
            store.save_item(_item(n, at - timedelta(days=9 - i)))
        for days in (3, 2, 1):
            store.record_failure(DetailFailure("gdjct_zgls", gone.url or "", "HTTP 404", "gone",
                                               (at - timedelta(days=days)).isoformat()), today=today)
        run_id = store.start_run("macao_daily", mode="incremental")
        store.finish_run(run_id, "failed", 1, ["list_failed: HTTP 503 (http://www.macaodaily.com/html/)"], {})
        run_id = store.start_run("gdjct_zgls", mode="incremental")
        store.finish_run(run_id, "completed", 3, [], {})
    finally:
        store.close()


@contextmanager
def reader_server(db_path: Path, today: date) -> Iterator[str]:
    """The reader on 127.0.0.1 (a free port) on a thread; yields its base URL, stops on exit."""
    import uvicorn

    from monitor.reader.server import ReaderServer, build_datasette

    datasette = build_datasette(db_path, lambda: today)
    ready: list[str] = []
    server = ReaderServer(uvicorn.Config(datasette.app(), host="127.0.0.1", port=0, log_level="warning"),
                     on_ready=ready.append)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not ready and thread.is_alive() and time.monotonic() < deadline:
        time.sleep(0.02)
    if not ready:
        raise RuntimeError("the reader did not start within 20 s")
    try:
        yield ready[0].rstrip("/")
    finally:
        server.should_exit = True
        thread.join(10)
