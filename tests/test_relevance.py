"""Relevance before fetching: a generic column crawled with `keywords` stores its few notices and
fetches none of its unrelated entries (the replica's request log says so); the entries passed over
are remembered (`listings`) and fetched once widened keywords match them."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from crawler.relevance import Relevance, RelevanceError, check_relevance, relevance_of, title_score
from replica.city_portal import build_city_portal
from replica.server import ReplicaServer
from tests.kind_checks import crawl_config, field_mismatches, runs, stored


@pytest.fixture(scope="module")
def server() -> Iterator[ReplicaServer]:
    with ReplicaServer(build_city_portal()) as srv:
        yield srv


def about_inspections(site) -> list:
    return [n for n in site.notices if "巡视" in n.title or "巡察" in n.title]


def crawl(server: ReplicaServer, tmp: Path, column: str, *extra: str, **source: object):
    before = len(server.requests)
    entry = {"id": "generic", "kind": "nfcms", "start_urls": [server.url(f"{column}index.html")], **source}
    db, out = crawl_config(tmp, entry, *extra)
    assert out.returncode == 0, out.stderr[-3000:]
    return db, server.paths()[before:]


def test_the_generic_column_mixes_a_few_notices_among_many_others(server: ReplicaServer) -> None:
    site = server.site("city_tzgg")
    assert len(about_inspections(site)) == 3 and len(site.notices) == 39


def test_a_generic_column_with_keywords_fetches_only_the_notices(
    server: ReplicaServer, tmp_path: Path
) -> None:
    site = server.site("city_tzgg")
    db, paths = crawl(server, tmp_path, site.column, keywords=["巡视", "巡察"])
    [run] = runs(db)
    assert run["status"] == "completed", run["problems"]
    expected = {server.url(site.detail_url(n.post_id)): n for n in about_inspections(site)}
    assert set(stored(db)) == set(expected)
    assert not field_mismatches(stored(db), expected)
    details = [p for p in paths if "/content/post_" in p]
    assert sorted(details) == sorted(site.detail_url(n.post_id) for n in about_inspections(site))
    with sqlite3.connect(db) as conn:
        skipped = {url for (url,) in conn.execute("select url from listings where source_id = 'generic'")}
    others = {
        server.url(site.detail_url(n.post_id)) for n in site.notices if n not in about_inspections(site)
    }
    assert skipped == others


def test_keywords_match_in_either_script(server: ReplicaServer, tmp_path: Path) -> None:
    """Traditional keywords find simplified titles (and the other way round): 巡視 finds 巡视."""
    site = server.site("city_tzgg")
    db, paths = crawl(server, tmp_path, site.column, keywords=["巡視", "巡察"])
    assert len(stored(db)) == 3
    assert len([p for p in paths if "/content/post_" in p]) == 3


def test_html_lists_are_filtered_and_paged_through(server: ReplicaServer, tmp_path: Path) -> None:
    """A column without the JSON (工作动态, 2 pages): every page read, only the 2 inspection news fetched."""
    site = server.site("city_zwdt")
    db, paths = crawl(server, tmp_path, site.column, keywords=["巡视"])
    assert f"{site.column}index_2.html" in paths
    wanted = about_inspections(site)
    assert len(wanted) == 2
    assert sorted(p for p in paths if "/content/post_" in p) == sorted(
        site.detail_url(n.post_id) for n in wanted
    )
    assert set(stored(db)) == {server.url(site.detail_url(n.post_id)) for n in wanted}


def test_an_unchanged_generic_column_is_read_to_its_first_page_only(
    server: ReplicaServer, tmp_path: Path
) -> None:
    """Entries passed over are known too: a second crawl stops at a first page of nothing new."""
    site = server.site("city_zwdt")
    crawl(server, tmp_path, site.column, keywords=["巡视"])
    _, again = crawl(server, tmp_path, site.column, keywords=["巡视"])
    assert [p for p in again if p != "/robots.txt"] == [f"{site.column}index.html"]


def test_widened_keywords_fetch_entries_passed_over_before(server: ReplicaServer, tmp_path: Path) -> None:
    site = server.site("city_tzgg")
    db, first = crawl(server, tmp_path, site.column, keywords=["巡视"])
    first_details = {p for p in first if "/content/post_" in p}
    db, second = crawl(server, tmp_path, site.column, keywords=["巡视", "巡察"])
    second_details = {p for p in second if "/content/post_" in p}
    everything = {site.detail_url(n.post_id) for n in about_inspections(site)}
    assert len(first_details) == 1 and len(second_details) == 2  # 1 巡视 notice, then 2 巡察 ones
    assert first_details | second_details == everything
    assert not first_details & second_details  # nothing fetched twice
    assert len(stored(db)) == 3


def test_a_dedicated_column_without_keywords_fetches_everything(
    server: ReplicaServer, tmp_path: Path
) -> None:
    site = server.site("city_xczg")
    db, paths = crawl(server, tmp_path, site.column)
    assert {p for p in paths if "/content/post_" in p} == {site.detail_url(n.post_id) for n in site.notices}
    assert len(stored(db)) == len(site.notices)


def test_match_text_fetches_all_and_keeps_matching_pages(server: ReplicaServer, tmp_path: Path) -> None:
    site = server.site("city_zwdt")
    db, paths = crawl(server, tmp_path, site.column, keywords=["巡视"], match="text")
    assert len([p for p in paths if "/content/post_" in p]) == len(site.notices)
    assert len(stored(db)) == 2


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"keywords": []}, "expected a list of words"),
        ({"keywords": [1]}, "expected a list of words"),
        ({"match": "body"}, "expected 'title' or 'text'"),
    ],
)
def test_bad_relevance_options_are_named(options: dict, message: str) -> None:
    with pytest.raises(RelevanceError, match=message) as info:
        check_relevance(options)
    assert info.value.key in options


def test_the_config_loader_rejects_bad_keywords_for_any_kind(tmp_path: Path) -> None:
    from monitor.config.errors import ConfigError
    from monitor.config.loader import parse_config

    data = {"sources": [{"id": "x", "kind": "gkmlpt", "start_urls": ["http://127.0.0.1/"], "keywords": 5}]}
    with pytest.raises(ConfigError, match=r"sources\[x\].*keywords: expected a list of words"):
        parse_config(data)


def test_relevance_rules() -> None:
    assert check_relevance({"keywords": "巡视, 巡察"}) == {"keywords": ("巡视", "巡察")}
    rel = relevance_of({"keywords": ("巡視",)})
    assert rel.wants_entry("中共珠海市委关于巡视整改进展情况的通报") and not rel.wants_entry("停水通知")
    assert Relevance().wants_entry("停水通知")  # no keywords: a dedicated column
    assert relevance_of({"match": "title"}).keywords  # match alone filters by the inspection words
    assert not relevance_of({"keywords": ("巡视",), "match": "text"}).filters_titles


@pytest.mark.parametrize(
    ("title", "score"),
    [
        ("中共珠海市金湾区委关于巡察整改进展情况的通报", 3),
        ("中共廣東省委橫琴工委關於巡視整改進展情況的通報", 3),
        ("省委第十四巡视组进驻韶关市开展常规巡视", 2),
        ("省委第九巡视组向佛山市反馈巡视情况", 1),
        ("关于2024年国庆节放假安排的通知", 0),
    ],
)
def test_title_score(title: str, score: int) -> None:
    assert title_score(title) == score
