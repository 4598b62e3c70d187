"""`gkmlpt` against the replica: the JSON list API (100 a page), HTML details, 索引号/文号 stored."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from crawler.kinds.base import OptionError
from crawler.kinds.gkmlpt import GkmlptSpider, article_date
from replica.gkmlpt import document_number, identifier
from replica.server import ReplicaServer
from replica.sites import build_gkmlpt_sites
from tests.kind_checks import crawl_config, crawl_spec, field_mismatches, runs, stored


@pytest.fixture(scope="module")
def server() -> Iterator[ReplicaServer]:
    with ReplicaServer(build_gkmlpt_sites()) as srv:
        yield srv


@pytest.fixture(scope="module")
def crawled(server: ReplicaServer, tmp_path_factory: pytest.TempPathFactory):
    """One crawl with the API URL as start URL (no options needed)."""
    site = server.sites[0]
    before = len(server.requests)
    api = server.url("/gkmlpt/api/all/2929?sid=760001")
    db, out = crawl_config(
        tmp_path_factory.mktemp("gkmlpt"), {"id": "zh_gkmlpt", "kind": "gkmlpt", "start_urls": [api]}
    )
    return site, db, out, server.paths()[before:]


def test_every_notice_is_stored_with_the_right_fields(server: ReplicaServer, crawled) -> None:
    site, db, out, _ = crawled
    assert out.returncode == 0, out.stderr
    [run] = runs(db)
    assert run["status"] == "completed" and json.loads(run["problems"]) == []
    expected = {server.url(site.detail_url(n.post_id)): n for n in site.notices}
    assert not field_mismatches(stored(db), expected)


def test_identifier_and_document_number_are_stored(server: ReplicaServer, crawled) -> None:
    site, db, _, _ = crawled
    notices = stored(db)
    numbered = 0
    for n in site.notices:
        notice = notices[server.url(site.detail_url(n.post_id))]
        # Also for the entries whose API record had no 索引号: read from the page's table.
        assert notice.identifier == identifier(site, n)
        assert notice.document_number == (document_number(site, n) or None)
        numbered += bool(notice.document_number)
    assert numbered == 15


def test_the_api_is_paged_by_its_total(crawled) -> None:
    _, _, out, paths = crawled
    assert out.returncode == 0, out.stderr
    api = [p for p in paths if p.startswith("/gkmlpt/api/")]
    assert api == ["/gkmlpt/api/all/2929?page=1&sid=760001", "/gkmlpt/api/all/2929?page=2&sid=760001"]


def test_options_give_sid_and_category(server: ReplicaServer) -> None:
    result = crawl_spec(
        {
            "id": "zh_gkmlpt",
            "kind": "gkmlpt",
            "start_urls": [server.url("/gkmlpt/index")],
            "max_pages": 1,
            "options": {"sid": "760001", "category": "2929"},
        }
    )
    assert result["status"] == "completed", result
    assert len(result["items"]) == 100
    assert all(item["identifier"] for item in result["items"])


def test_a_wrong_sid_is_an_empty_broken_source(server: ReplicaServer) -> None:
    result = crawl_spec(
        {"id": "zh", "kind": "gkmlpt", "start_urls": [server.url("/gkmlpt/api/all/2929?sid=1")]}
    )
    assert result["status"] == "failed"
    assert [p.split(":")[0] for p in result["problems"]] == ["list_empty"]


def test_a_ban_on_the_second_api_page_is_blocked(server: ReplicaServer) -> None:
    # Faults match paths, not query strings: answer page 2 of the API with a 521 ban page here.
    first = {"done": False}
    original = server._render

    def render(raw_path: str, host: str | None, method: str = "GET", body: bytes = b""):
        if "page=2" in raw_path and not first["done"]:
            first["done"] = True
            from replica.challenges import challenge_page

            return challenge_page("jsl", raw_path)
        return original(raw_path, host, method, body)

    server._render = render  # type: ignore[method-assign]
    try:
        result = crawl_spec(
            {"id": "zh", "kind": "gkmlpt", "start_urls": [server.url("/gkmlpt/api/all/2929?sid=760001")]}
        )
    finally:
        del server._render
    assert result["status"] == "completed"
    assert [p.split(":")[0] for p in result["problems"]] == ["blocked"]
    assert len(result["items"]) == 100


@pytest.mark.parametrize(
    ("options", "key"), [({"sid": "abc"}, "sid"), ({"category": True}, "category"), ({"sid": 76.5}, "sid")]
)
def test_bad_options_name_the_key(options: dict, key: str) -> None:
    with pytest.raises(OptionError) as info:
        GkmlptSpider.check_options(options)
    assert info.value.key == key


@pytest.mark.parametrize(
    ("value", "day"),
    [
        (1727319600, "2024-09-26"),
        (1727319600000, "2024-09-26"),
        ("2024-09-26 11:00:00", "2024-09-26"),
        (None, None),
    ],
)
def test_article_dates(value: object, day: str | None) -> None:
    assert article_date(value) == day
