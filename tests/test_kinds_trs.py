"""`trs` against the replica: ccdi (h2.tit, div.daty_con em, TRS_Editor) and a GBK TRS column;
page 2 is index_1.html; challenge and ban pages mid-crawl are "blocked" problems, never notices."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from crawler.kinds.trs import list_page_url
from replica.faults import Fault
from replica.server import ReplicaServer
from replica.sites import build_trs_sites
from tests.kind_checks import crawl_config, field_mismatches, runs, stored


@pytest.fixture(scope="module")
def server() -> Iterator[ReplicaServer]:
    with ReplicaServer(build_trs_sites()) as srv:
        yield srv


def source(server: ReplicaServer, site_id: str, **extra: object) -> dict:
    site = server.site(site_id)
    return {"id": site_id, "kind": "trs", "start_urls": [server.url(site.column)], **extra}


@pytest.fixture(scope="module")
def crawled(server: ReplicaServer, tmp_path_factory: pytest.TempPathFactory):
    done: dict[str, tuple] = {}

    def crawl(site_id: str):
        if site_id not in done:
            before = len(server.requests)
            db, out = crawl_config(tmp_path_factory.mktemp(site_id), source(server, site_id))
            done[site_id] = (db, out, server.paths()[before:])
        return done[site_id]

    return crawl


@pytest.mark.parametrize(
    ("page", "name"), [(1, "index.html"), (2, "index_1.html"), (3, "index_2.html"), (11, "index_10.html")]
)
def test_trs_page_numbering(page: int, name: str) -> None:
    for start in ("https://www.ccdi.gov.cn/xsxcn/", "https://www.ccdi.gov.cn/xsxcn/index.html"):
        assert list_page_url(start, page) == "https://www.ccdi.gov.cn/xsxcn/" + name


@pytest.mark.parametrize("site_id", ["ccdi_xsxc", "trs_gbk"])
def test_every_notice_is_stored_with_the_right_fields(server: ReplicaServer, crawled, site_id: str) -> None:
    db, out, _ = crawled(site_id)
    assert out.returncode == 0, out.stderr
    site = server.site(site_id)
    [run] = runs(db)
    assert run["status"] == "completed" and json.loads(run["problems"]) == []
    expected = {server.url(site.detail_url(n.post_id)): n for n in site.notices}
    assert not field_mismatches(stored(db), expected)


def test_pages_follow_trs_numbering_and_stop_at_the_page_count(server: ReplicaServer, crawled) -> None:
    _, out, paths = crawled("ccdi_xsxc")
    assert out.returncode == 0, out.stderr
    lists = [p for p in paths if "/xsxcn/index" in p]
    # createPageHTML(3, …) says three pages: no request for a fourth.
    assert lists == ["/xsxcn/index.html", "/xsxcn/index_1.html", "/xsxcn/index_2.html"]


def test_gbk_text_is_decoded(server: ReplicaServer, crawled) -> None:
    db, _, _ = crawled("trs_gbk")
    site = server.site("trs_gbk")
    notices = stored(db)
    for n in site.notices:
        notice = notices[server.url(site.detail_url(n.post_id))]
        assert notice.title == n.title
        assert notice.body_text.splitlines()[0] == n.paragraphs[0]
        assert "\ufffd" not in notice.body_text


def test_no_chrome_in_ccdi_bodies(crawled) -> None:
    db, _, _ = crawled("ccdi_xsxc")
    for url, notice in stored(db).items():
        for chrome in ("发布时间", "来源:", "字号", "打印", "分享到", "版权所有", "返回列表"):
            assert chrome not in notice.body_text, f"{url}: {chrome!r} in body"


def test_captcha_and_ban_mid_crawl_are_blocked_problems(server: ReplicaServer, tmp_path) -> None:
    site = server.site("ccdi_xsxc")
    captcha_post = site.newest_first()[1]
    captcha_path = site.detail_url(captcha_post.post_id)
    server.faults[captcha_path] = Fault(challenge="captcha")
    server.faults["/xsxcn/index_1.html"] = Fault(challenge="jsl")  # 521 on page 2
    try:
        db, out = crawl_config(tmp_path, source(server, "ccdi_xsxc"))
    finally:
        server.faults.clear()
    assert out.returncode == 0, out.stderr
    [run] = runs(db)
    problems = json.loads(run["problems"])
    assert run["status"] == "completed"  # page 1 was read: not a broken source
    assert any(p.startswith("blocked: captcha page") and captcha_path in p for p in problems), problems
    assert any(p.startswith("blocked: 521") and "index_1.html" in p for p in problems), problems
    urls = set(stored(db))
    page_one = {server.url(site.detail_url(n.post_id)) for n in site.newest_first()[: site.per_page]}
    assert urls == page_one - {server.url(captcha_path)}


def test_challenge_on_the_first_list_page_fails_the_run(server: ReplicaServer, tmp_path) -> None:
    server.faults["/xsxcn/index.html"] = Fault(challenge="js_cookie")
    try:
        db, out = crawl_config(tmp_path, source(server, "ccdi_xsxc"))
    finally:
        server.faults.clear()
    assert out.returncode == 1 and "did not complete: ccdi_xsxc" in out.stderr
    [run] = runs(db)
    assert run["status"] == "failed"
    assert [p.split(":")[0] for p in json.loads(run["problems"])] == ["blocked"]
    assert stored(db) == {}
