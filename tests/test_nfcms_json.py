"""NFCMS column JSON as the preferred list, and the post JSON for blocked detail pages."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from crawler import postmeta
from replica.city_portal import build_city_portal
from replica.faults import fault
from replica.server import ReplicaServer
from tests.kind_checks import crawl_config, field_mismatches, runs, stored


@pytest.fixture
def server() -> Iterator[ReplicaServer]:
    with ReplicaServer(build_city_portal()) as srv:
        yield srv


def crawl(server: ReplicaServer, tmp: Path, column: str, **source: object):
    before = len(server.requests)
    entry = {"id": "dedicated", "kind": "nfcms", "start_urls": [server.url(f"{column}index.html")], **source}
    db, out = crawl_config(tmp, entry)
    assert out.returncode == 0, out.stderr[-3000:]
    return db, [p for p in server.paths()[before:] if p != "/robots.txt"]


def expected(server: ReplicaServer, site) -> dict:
    return {server.url(site.detail_url(n.post_id)): n for n in site.notices}


def test_the_column_id_from_the_page_variables_reads_the_json(server: ReplicaServer, tmp_path: Path) -> None:
    site = server.site("city_xczg")  # 10 posts, 6 a page: HTML would take 2 list pages
    db, paths = crawl(server, tmp_path, site.column)
    lists = [p for p in paths if "/content/" not in p]
    assert lists == [f"{site.column}index.html", "/postmeta/i/30003.json"]
    # The fields of the rectification notices (the column's announcement is the parser's business).
    notices = {
        u: n for u, n in expected(server, site).items() if n.expected["doc_type"] == "rectification_notice"
    }
    assert not field_mismatches({u: stored(db)[u] for u in notices}, notices)
    assert set(stored(db)) == set(expected(server, site))


def test_a_configured_column_id_needs_no_html_list(server: ReplicaServer, tmp_path: Path) -> None:
    site = server.site("city_xczg")
    db, paths = crawl(server, tmp_path, site.column, column_id=30003)
    assert [p for p in paths if "/content/" not in p] == ["/postmeta/i/30003.json"]
    assert set(stored(db)) == set(expected(server, site))


def test_without_the_json_the_html_lists_are_read(server: ReplicaServer, tmp_path: Path) -> None:
    site = server.site("city_xczg")
    db, paths = crawl(server, tmp_path, site.column, column_id=99999)  # no such column JSON
    assert "/postmeta/i/99999.json" in paths and f"{site.column}index_2.html" in paths
    assert set(stored(db)) == set(expected(server, site))
    [run] = runs(db)
    problems = json.loads(run["problems"])
    assert any(p.startswith("column_json:") and "HTML lists" in p for p in problems), problems


def test_json_failing_after_the_page_named_it_falls_back_to_the_page(
    server: ReplicaServer, tmp_path: Path
) -> None:
    site = server.site("city_xczg")
    server.faults["/postmeta/i/30003.json"] = fault("http_503")
    db, paths = crawl(server, tmp_path, site.column)
    assert paths.count(f"{site.column}index.html") == 1 and f"{site.column}index_2.html" in paths
    assert set(stored(db)) == set(expected(server, site))
    assert runs(db)[0]["status"] == "completed"


def test_a_blocked_detail_page_is_read_from_its_post_json(server: ReplicaServer, tmp_path: Path) -> None:
    site = server.site("city_xczg")
    blocked = site.newest_first()[1]
    site.detail_faults[blocked.post_id] = fault("challenge_412")
    db, paths = crawl(server, tmp_path, site.column)
    n = blocked.post_id
    assert f"/postmeta/p/{n // 10**6}/{n // 10**3}/{n}.json" in paths
    url = server.url(site.detail_url(n))
    assert not field_mismatches({url: stored(db)[url]}, {url: blocked})
    assert len(stored(db)) == len(site.notices)


def test_blocked_page_and_no_post_json_is_a_blocked_failure(server: ReplicaServer, tmp_path: Path) -> None:
    site = server.site("city_xczg")
    blocked = site.newest_first()[0]
    site.detail_faults[blocked.post_id] = fault("challenge_412")
    n = blocked.post_id
    server.faults[f"/postmeta/p/{n // 10**6}/{n // 10**3}/{n}.json"] = fault("http_404")
    db, _ = crawl(server, tmp_path, site.column)
    assert server.url(site.detail_url(n)) not in stored(db)
    problems = json.loads(runs(db)[0]["problems"])
    assert any(p.startswith("blocked:") for p in problems), problems


def test_postmeta_functions() -> None:
    assert postmeta.post_json_url("https://a.gov.cn/zwgk/tzgg/content/post_4500309.html") == (
        "https://a.gov.cn/postmeta/p/4/4500/4500309.json"
    )
    assert postmeta.post_json_url("https://a.gov.cn/zwgk/tzgg/index.html") is None
    assert postmeta.column_json_url("https://www.hengqin.gov.cn/macao_zh_hans/zwgk/tzgg/gg/", 24471) == (
        "https://www.hengqin.gov.cn/postmeta/i/24471.json"
    )
    assert (
        postmeta.column_id_in("<script>var NFCMS_SITE_ID = '756001'; var NFCMS_CAT_ID = '24471';</script>")
        == "24471"
    )
    assert postmeta.column_id_in("<script>var NFCMS_SITE_ID = '756001';</script>") is None
    assert postmeta.unescape_title("%u5DE1%u5BDF%u6574%u6539") == "巡察整改"


def test_read_column_entries() -> None:
    body = json.dumps(
        {
            "articles": [
                {
                    "id": 4500309,
                    "title": "%u901A%u62A5",
                    "url": "/zwgk/tzgg/content/post_4500309.html",
                    "publish_time": 1727319600,
                },
                {"id": 2, "title": "x"},  # no url: left out
            ],
            "category": {"name": "通知公告"},
            "updated": 1727319600,
        }
    ).encode()
    listing = postmeta.read_column(body, "https://hengqin.gd.gov.cn/postmeta/i/1.json")
    [entry] = listing.entries
    assert entry.url == "https://hengqin.gd.gov.cn/zwgk/tzgg/content/post_4500309.html"
    assert (entry.title, entry.date, entry.post_id) == ("通报", "2024-09-26", 4500309)
    assert listing.name == "通知公告" and listing.updated == "1727319600"
    with pytest.raises(postmeta.PostmetaError):
        postmeta.read_column(b"<html>412</html>", "https://x/")
