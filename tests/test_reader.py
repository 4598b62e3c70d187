"""The web reader over real HTTP (uvicorn on loopback): pages, read-only guarantees, escaping."""

from __future__ import annotations

import re
import sqlite3
from datetime import date
from pathlib import Path

import httpx
import pytest

from monitor.reader.queries import ReaderError
from monitor.reader.server import build_datasette
from tests.reader_scenario import build_reader_store, reader_server

TODAY = date(2026, 3, 10)


@pytest.fixture(scope="module")
def reader(tmp_path_factory: pytest.TempPathFactory):
    path = tmp_path_factory.mktemp("reader") / "store.db"
    build_reader_store(path, TODAY)
    with reader_server(path, TODAY) as url:
        yield url, path


def get(reader, path: str, **kwargs) -> httpx.Response:
    return httpx.get(reader[0] + path, timeout=10, **kwargs)


def notice_ids(html: str, table: str) -> list[int]:
    section = html.split(f'id="{table}"', 1)[1].split("</table>", 1)[0]
    return [int(i) for i in re.findall(r'data-notice="(\d+)"', section)]


def test_front_page_lists_open_windows_closing_soonest_first(reader) -> None:
    page = get(reader, "/")
    assert page.status_code == 200
    assert notice_ids(page.text, "open-now") == [2, 1, 5, 6]  # closes in 2, 12, 20, 27 days
    withdrawn = page.text.split('id="withdrawn"', 1)[1].split("</ul>", 1)[0]
    assert 'href="/notices/4"' in withdrawn and "withdrawn" in withdrawn
    assert "0756-8845678" in page.text  # where to send comments: the edited version's phones
    assert "withdrawn while open" in page.text
    assert "list_failed" in page.text  # the source with a problem


def test_notice_page_shows_fields_versions_and_diff(reader) -> None:
    page = get(reader, "/notices/1").text
    assert "Versions (2)" in page
    assert re.search(r"<ins>[^<]*0756-8845678[^<]*</ins>", page)
    assert "<del>" in page
    assert 'data-field="inspected_org">珠海市金湾区委' in page
    assert 'href="https://www.gdjct.gd.gov.cn/xunshizgls/content/post_5001.html"' in page
    assert "phone numbers: added 0756-8845678" in page


def test_withdrawn_notice_is_marked(reader) -> None:
    page = get(reader, "/notices/4").text
    assert 'data-status="removed"' in page


@pytest.mark.parametrize("query", ["横琴", "橫琴"])
def test_search_finds_two_character_words_in_either_script(reader, query: str) -> None:
    page = get(reader, "/search", params={"q": query}).text
    found = {int(i) for i in re.findall(r'<li data-notice="(\d+)"', page)}
    assert found == {5, 6}


def test_hostile_text_is_escaped_and_never_linked(reader) -> None:
    for path in ("/", "/notices/5", "/search?q=横琴", "/sources/gdjct_zgls"):
        html = get(reader, path).text
        assert "<script>window.__pwned" not in html and "<img src=x" not in html, path
        assert "<iframe" not in html and "<b onmouseover" not in html, path
        assert 'href="javascript:' not in html, path
    assert "&lt;script&gt;window.__pwned = 1&lt;/script&gt;" in get(reader, "/notices/5").text


def test_every_response_carries_a_script_free_policy(reader) -> None:
    ours = get(reader, "/notices/5").headers["content-security-policy"]
    assert "default-src 'none'" in ours and "script-src" not in ours
    theirs = get(reader, "/noticewatch/notices").headers["content-security-policy"]
    assert "script-src 'self'" in theirs and "unsafe-inline" not in theirs.split("script-src", 1)[1].split(";")[0]
    assert get(reader, "/").headers["x-content-type-options"] == "nosniff"


def test_no_write_is_offered(reader) -> None:
    url, path = reader
    before = sqlite3.connect(path).execute("select count(*), group_concat(status) from notices").fetchone()
    assert httpx.post(url + "/noticewatch/-/query", data={"sql": "delete from notices"}, timeout=10).status_code == 405
    refused = get(reader, "/noticewatch.json", params={"sql": "delete from notices"})
    assert refused.status_code == 400
    assert sqlite3.connect(path).execute("select count(*), group_concat(status) from notices").fetchone() == before


def test_unknown_notice_is_404(reader) -> None:
    assert get(reader, "/notices/999").status_code == 404
    assert get(reader, "/sources/nope").status_code == 404


def test_a_file_that_is_not_a_store_is_refused(tmp_path: Path) -> None:
    other = tmp_path / "other.db"
    sqlite3.connect(other).execute("create table t(x)").connection.commit()
    with pytest.raises(ReaderError, match="not a noticewatch database"):
        build_datasette(other, lambda: TODAY)
    with pytest.raises(ReaderError, match="no such database"):
        build_datasette(tmp_path / "missing.db", lambda: TODAY)
    (tmp_path / "junk.db").write_bytes(b"not sqlite at all" * 100)
    with pytest.raises(ReaderError, match="cannot be read as SQLite"):
        build_datasette(tmp_path / "junk.db", lambda: TODAY)


def test_connections_refuse_writes(tmp_path: Path) -> None:
    import asyncio

    path = tmp_path / "store.db"
    build_reader_store(path, TODAY)
    database = build_datasette(path, lambda: TODAY).get_database("noticewatch")

    def write(conn: sqlite3.Connection) -> None:
        conn.execute("update notices set title = 'x'")

    with pytest.raises(sqlite3.OperationalError, match="readonly|read-only|query_only"):
        asyncio.run(database.execute_fn(write))
