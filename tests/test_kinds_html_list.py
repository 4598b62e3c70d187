"""`html_list` against the replica: a portal of no known CMS, read with selectors from config.yaml."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from crawler.kinds.base import OptionError
from crawler.kinds.html_list import HtmlListSpider
from replica.server import ReplicaServer
from replica.sites import build_html_list_sites
from tests.kind_checks import crawl_config, field_mismatches, runs, stored

SELECTORS = {
    "item": "div.news-item",
    "link": "h4 a",
    "date": "span.pubdate",
    "next_page": "a.next-page",
    "body": "div.article-body",
}


@pytest.fixture(scope="module")
def server() -> Iterator[ReplicaServer]:
    with ReplicaServer(build_html_list_sites()) as srv:
        yield srv


@pytest.fixture(scope="module")
def crawled(server: ReplicaServer, tmp_path_factory: pytest.TempPathFactory):
    server.clear_requests()
    db, out = crawl_config(
        tmp_path_factory.mktemp("html_list"),
        {
            "id": "other",
            "kind": "html_list",
            "start_urls": [server.url("/news/list.shtml")],
            "selectors": SELECTORS,
        },
    )
    return server.sites[0], db, out, server.paths()


def test_every_notice_is_stored_with_the_right_fields(server: ReplicaServer, crawled) -> None:
    site, db, out, _ = crawled
    assert out.returncode == 0, out.stderr
    [run] = runs(db)
    assert run["status"] == "completed" and json.loads(run["problems"]) == []
    expected = {server.url(site.detail_url(n.post_id)): n for n in site.notices}
    assert not field_mismatches(stored(db), expected)
    for notice in stored(db).values():
        assert "热门文章" not in notice.body_text and "发布时间" not in notice.body_text


def test_paging_follows_the_next_link(crawled) -> None:
    _, _, _, paths = crawled
    assert [p for p in paths if p.startswith("/news/list")] == [
        "/news/list.shtml",
        "/news/list.shtml?page=2",
        "/news/list.shtml?page=3",
    ]


def test_list_dates_are_read(server: ReplicaServer, crawled) -> None:
    site, db, _, _ = crawled
    from monitor.store.db import Store

    with Store(db) as store:
        dates = {r["url"]: r["list_date"] for r in store.rows("select url, list_date from notices")}
    assert dates == {server.url(site.detail_url(n.post_id)): n.published_date for n in site.notices}


def test_a_wrong_item_selector_is_a_broken_source(server: ReplicaServer, tmp_path) -> None:
    db, out = crawl_config(
        tmp_path,
        {
            "id": "other",
            "kind": "html_list",
            "start_urls": [server.url("/news/list.shtml")],
            "selectors": {"item": "ul.gone li"},
        },
    )
    [run] = runs(db)
    assert run["status"] == "failed"
    assert json.loads(run["problems"])[0].startswith(
        "list_empty: no entries match selectors.item 'ul.gone li'"
    )


def test_bad_detail_pattern_names_the_key() -> None:
    with pytest.raises(OptionError) as info:
        HtmlListSpider.check_options({"detail_pattern": "(["})
    assert info.value.key == "detail_pattern"
