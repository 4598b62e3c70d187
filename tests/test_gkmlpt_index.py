"""gkmlpt without hand-copied ids: `sid` and the category tree read from `/gkmlpt/index`,
categories chosen by name."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from crawler import catalogue
from replica.city_portal import build_city_portal
from replica.gkmlpt import _index
from replica.server import ReplicaServer
from tests.kind_checks import crawl_config, runs, stored


@pytest.fixture(scope="module")
def server() -> Iterator[ReplicaServer]:
    with ReplicaServer(build_city_portal()) as srv:
        yield srv


def crawl(server: ReplicaServer, tmp: Path, start: str, ok: bool = True, **source: object):
    before = len(server.requests)
    db, out = crawl_config(
        tmp, {"id": "city_gkmlpt", "kind": "gkmlpt", "start_urls": [server.url(start)], **source}
    )
    assert (out.returncode == 0) == ok, out.stderr[-3000:]
    return db, [p for p in server.paths()[before:] if p != "/robots.txt"]


def test_categories_by_name_from_the_index_page(server: ReplicaServer, tmp_path: Path) -> None:
    site = server.site("city_gkmlpt")
    db, paths = crawl(server, tmp_path, "/gkmlpt/index", categories=["巡视巡察"])
    assert paths[0] == "/gkmlpt/index"
    assert "/gkmlpt/api/all/4011?page=1&sid=756001" in paths
    assert set(stored(db)) == {server.url(site.detail_url(n.post_id)) for n in site.notices}
    assert runs(db)[0]["status"] == "completed"


def test_without_categories_the_inspection_ones_are_chosen(server: ReplicaServer, tmp_path: Path) -> None:
    db, paths = crawl(server, tmp_path, "/")  # any URL of the site
    assert "/gkmlpt/api/all/4011?page=1&sid=756001" in paths
    assert len(stored(db)) == 4


def test_an_unknown_category_name_is_reported_with_the_valid_ones(
    server: ReplicaServer, tmp_path: Path
) -> None:
    db, paths = crawl(server, tmp_path, "/gkmlpt/index", ok=False, categories=["人事信息"])
    [run] = runs(db)
    problems = json.loads(run["problems"])
    assert run["status"] != "completed"
    assert any("no catalogue category named '人事信息'" in p and "巡视巡察" in p for p in problems), problems
    assert not [p for p in paths if "/api/" in p]


def test_read_index_and_choose(server: ReplicaServer) -> None:
    index = catalogue.read_index(_index(server.site("city_gkmlpt"), server.sites))
    assert index.sid == "756001"
    names = {c.name: c for c in index.categories}
    assert names["巡视巡察"].id == "4011" and names["巡视巡察"].path == ("综合政务", "巡视巡察")
    chosen, missing = catalogue.choose(index, ["巡视巡察", "政务服务", "通知公告"])
    assert [c.id for c in chosen] == ["4011"]  # 政务服务 only jumps elsewhere
    assert missing == ["政务服务", "通知公告"]
    assert [c.id for c in catalogue.inspection_categories(index)] == ["4011"]


def test_read_index_takes_a_javascript_literal() -> None:
    html = """<script>window._CONFIG = {SID: '762001', TREE: [{id: 5, name: '通知公告', post_count: 3,
      children: [{id: 6, name: '巡察公告', children: [], jump_url: ''}]}], SERVICE_AREA_ID: 1};</script>"""
    index = catalogue.read_index(html)
    assert index.sid == "762001"
    assert [(c.id, c.name) for c in index.categories] == [("5", "通知公告"), ("6", "巡察公告")]
    with pytest.raises(catalogue.CatalogueError):
        catalogue.read_index("<html><body>412</body></html>")
