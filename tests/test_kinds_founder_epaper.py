"""`founder_epaper` against the replica: Macao Daily editions → pages → articles, traditional
script, date from the URL, only articles about inspections/rectification/Hengqin stored."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date

import pytest

from crawler.kinds.base import OptionError
from crawler.kinds.founder_epaper import FounderEpaperSpider, edition_urls
from replica.epaper import editions
from replica.server import ReplicaServer
from replica.sites import build_epaper_sites
from tests.kind_checks import crawl_config, crawl_spec, field_mismatches, runs, stored

KEYWORDS = ("巡視", "巡察", "整改", "橫琴")


@pytest.fixture(scope="module")
def server() -> Iterator[ReplicaServer]:
    with ReplicaServer(build_epaper_sites()) as srv:
        yield srv


def front_pages(server: ReplicaServer) -> list[str]:
    site = server.sites[0]
    return [server.url(f"/html/{day[:7]}/{day[8:10]}/node_2.htm") for day in editions(site)]


@pytest.fixture(scope="module")
def crawled(server: ReplicaServer, tmp_path_factory: pytest.TempPathFactory):
    server.clear_requests()
    db, out = crawl_config(
        tmp_path_factory.mktemp("epaper"),
        {"id": "macaodaily", "kind": "founder_epaper", "start_urls": front_pages(server)},
    )
    return server.sites[0], db, out, server.paths()


def relevant(site) -> list:
    return [n for n in site.notices if any(k in n.title for k in KEYWORDS)]


def test_the_replica_mixes_relevant_and_other_articles(server: ReplicaServer) -> None:
    site = server.sites[0]
    assert len(relevant(site)) == 9 and len(site.notices) == 14


def test_only_relevant_articles_are_stored_with_the_right_fields(server: ReplicaServer, crawled) -> None:
    site, db, out, paths = crawled
    assert out.returncode == 0, out.stderr
    [run] = runs(db)
    assert run["status"] == "completed" and json.loads(run["problems"]) == []
    expected = {server.url(site.detail_url(n.post_id)): n for n in relevant(site)}
    assert not field_mismatches(stored(db), expected)
    # The other articles were not even fetched.
    others = {site.detail_url(n.post_id) for n in site.notices if n not in relevant(site)}
    assert not others & set(paths)


def test_traditional_text_and_date_from_the_url(server: ReplicaServer, crawled) -> None:
    site, db, _, _ = crawled
    notices = stored(db)
    for n in relevant(site):
        notice = notices[server.url(site.detail_url(n.post_id))]
        assert notice.script == "hant" and notice.title == n.title
        assert notice.published_at == n.published_date
        assert notice.body_text.splitlines() == list(n.paragraphs)
        assert "版權所有" not in notice.body_text and "返回" not in notice.body_text


def test_every_page_of_an_edition_is_read(server: ReplicaServer, crawled) -> None:
    site, _, _, paths = crawled
    for day in editions(site):
        for node in (2, 3, 4):
            assert paths.count(f"/html/{day[:7]}/{day[8:10]}/node_{node}.htm") == 1


def test_a_dated_template_crawls_the_last_days(server: ReplicaServer) -> None:
    site = server.sites[0]
    newest = editions(site)[0]
    result = crawl_spec(
        {
            "id": "macaodaily",
            "kind": "founder_epaper",
            "start_urls": [server.url("/html/{yyyy}-{mm}/{dd}/node_2.htm")],
            "options": {"days": 2, "until": newest, "match": "text"},
        }
    )
    # The day before the newest edition has no paper in the replica: a problem, not a broken source.
    assert result["status"] == "completed"
    assert [p.split(":")[0] for p in result["problems"]] == ["edition_missing"]
    want = sorted(n.title for n in relevant(site) if n.published_date == newest)
    assert sorted(item["title"] for item in result["items"]) == want


def test_edition_urls() -> None:
    template = "http://www.macaodaily.com/html/{yyyy}-{mm}/{dd}/node_2.htm"
    assert edition_urls(template, 2, date(2024, 10, 1)) == [
        "http://www.macaodaily.com/html/2024-10/01/node_2.htm",
        "http://www.macaodaily.com/html/2024-09/30/node_2.htm",
    ]


@pytest.mark.parametrize(
    ("options", "key"),
    [
        ({"keywords": []}, "keywords"),
        ({"match": "body"}, "match"),
        ({"days": 0}, "days"),
        ({"until": "9/26"}, "until"),
    ],
)
def test_bad_options_name_the_key(options: dict, key: str) -> None:
    with pytest.raises(OptionError) as info:
        FounderEpaperSpider.checked_options(options)  # relevance keys are checked for every kind
    assert info.value.key == key


def test_keywords_match_both_scripts() -> None:
    spider = FounderEpaperSpider(start_url="http://www.macaodaily.com/html/2024-09/26/node_2.htm")
    assert spider.matches("省委橫琴工委關於巡視整改進展情況的通報")
    assert spider.matches("横琴合作区举行发布会")
    assert not spider.matches("澳門隊在區域足球邀請賽中勝出")
