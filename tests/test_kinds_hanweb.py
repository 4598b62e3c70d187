"""`hanweb` against the replica: a GBK column whose items come from the POSTed jpage data proxy."""

from __future__ import annotations

import json
from collections.abc import Iterator
from urllib.parse import parse_qs

import pytest

from crawler.kinds.base import OptionError
from crawler.kinds.hanweb import HanwebSpider, column_form
from replica.faults import Fault
from replica.hanweb import render_column
from replica.server import ReplicaServer
from replica.sites import build_hanweb_sites
from tests.kind_checks import crawl_config, crawl_spec, field_mismatches, runs, stored


@pytest.fixture(scope="module")
def server() -> Iterator[ReplicaServer]:
    with ReplicaServer(build_hanweb_sites()) as srv:
        yield srv


@pytest.fixture(scope="module")
def crawled(server: ReplicaServer, tmp_path_factory: pytest.TempPathFactory):
    site = server.sites[0]
    server.clear_requests()
    db, out = crawl_config(
        tmp_path_factory.mktemp("hanweb"),
        {"id": "hy_hanweb", "kind": "hanweb", "start_urls": [server.url("/col/col1234/index.html")]},
    )
    return site, db, out, server.requests, list(server.bodies)


def test_every_notice_is_stored_with_the_right_fields(server: ReplicaServer, crawled) -> None:
    site, db, out, _, _ = crawled
    assert out.returncode == 0, out.stderr
    [run] = runs(db)
    assert run["status"] == "completed" and json.loads(run["problems"]) == []
    expected = {server.url(site.detail_url(n.post_id)): n for n in site.notices}
    assert not field_mismatches(stored(db), expected)


def test_gbk_text_is_right(server: ReplicaServer, crawled) -> None:
    site, db, _, _, _ = crawled
    notices = stored(db)
    for n in site.notices:
        notice = notices[server.url(site.detail_url(n.post_id))]
        assert notice.title == n.title
        assert notice.body_text.splitlines() == list(n.paragraphs)
        for chrome in ("发布日期", "信息来源", "打印本页", "字号", "技术支持"):
            assert chrome not in notice.body_text


def test_records_come_from_the_posted_data_proxy(crawled) -> None:
    _, _, out, requests, bodies = crawled
    assert out.returncode == 0, out.stderr
    posts = [(r.path, body) for r, body in zip(requests, bodies, strict=True) if r.method == "POST"]
    assert [p for p, _ in posts] == [
        "/module/web/jpage/dataproxy.jsp?startrecord=1&endrecord=15&perpage=5",
        "/module/web/jpage/dataproxy.jsp?startrecord=16&endrecord=30&perpage=5",
    ]
    form = {k: v[0] for k, v in parse_qs(posts[0][1].decode()).items()}
    assert form["columnid"] == "1234" and form["unitid"] == "5678" and form["webid"] == "2"
    assert form["webname"] == "河源市人民政府"


def test_the_form_option_overrides_the_page(server: ReplicaServer) -> None:
    result = crawl_spec(
        {
            "id": "hy",
            "kind": "hanweb",
            "start_urls": [server.url("/col/col1234/index.html")],
            "max_pages": 3,
            "options": {"form": {"unitid": "9999"}},
        }
    )
    # A wrong unitid gets an empty datastore: a broken source, never "everything was removed".
    assert result["status"] == "failed"
    assert [p.split(":")[0] for p in result["problems"]] == ["list_empty"]


def test_column_form_reads_the_nextgroup_link() -> None:
    site = build_hanweb_sites()[0]
    proxy, form = column_form(render_column(site), "http://example.gov.cn/col/col1234/index.html")
    assert proxy == "http://example.gov.cn/module/web/jpage/dataproxy.jsp"
    assert {k: form[k] for k in ("columnid", "unitid", "webid", "appid", "path")} == {
        "columnid": "1234",
        "unitid": "5678",
        "webid": "2",
        "appid": "1",
        "path": "/",
    }


def test_a_ban_on_the_data_proxy_is_blocked(server: ReplicaServer, tmp_path) -> None:
    server.faults["/module/web/jpage/dataproxy.jsp"] = Fault(challenge="js_cookie")
    try:
        db, out = crawl_config(
            tmp_path, {"id": "hy", "kind": "hanweb", "start_urls": [server.url("/col/col1234/index.html")]}
        )
    finally:
        server.faults.clear()
    [run] = runs(db)
    assert run["status"] == "failed"
    assert [p.split(":")[0] for p in json.loads(run["problems"])] == ["blocked"]
    assert stored(db) == {}


@pytest.mark.parametrize(("options", "key"), [({"form": "x"}, "form"), ({"perpage": 0}, "perpage")])
def test_bad_options_name_the_key(options: dict, key: str) -> None:
    with pytest.raises(OptionError) as info:
        HanwebSpider.check_options(options)
    assert info.value.key == key
