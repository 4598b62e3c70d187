"""Search: Chinese words of any length (横琴 is two characters), both scripts, fields, index upkeep."""

from __future__ import annotations

from pathlib import Path

import pytest

from crawler.items import NoticeItem
from crawler.parser import parse_text
from monitor.store.db import Store
from monitor.store.search import Filters, match_expression, rebuild_index, search
from tests.helpers import ROOT, run_cli

SEEDS = sorted((ROOT / "replica" / "seeds").glob("*.txt"))


@pytest.fixture
def store(tmp_path: Path):
    with Store(tmp_path / "s.db") as s:
        for index, path in enumerate(SEEDS):
            notice = parse_text(path.read_text(encoding="utf-8"))
            url = f"http://127.0.0.1/x/content/post_{index}.html"
            s.save_item(NoticeItem(f"src{index % 2}", url, notice.replace(title=notice.title or f"通报{index}"),
                                   "2024-10-01T00:00:00+00:00", "raw"))
        yield s


def ids(hits) -> list[int]:
    return sorted(hit.id for hit in hits)


@pytest.mark.parametrize(
    "query, expected",
    [
        ("横琴", [1, 2]),  # two characters: the case trigram indexes miss
        ("橫琴", [1, 2]),  # traditional script finds simplified text
        ("横琴粤澳深度合作区", [1, 2]),
        ("工业和信息化局", [3]),
        ("金湾 常规巡视", [2]),  # every word must match
        ("hqbzhcxxdcz", [1]),
        ("0756-2135627", [3]),
        ("不存在的词语", []),
        ("，。", []),
    ],
)
def test_text_queries(store: Store, query: str, expected: list[int]) -> None:
    assert ids(search(store.db, query)) == expected


def test_title_hits_rank_first(store: Store) -> None:
    hits = search(store.db, "金湾")
    assert hits[0].title == "中共珠海市金湾区委关于巡视整改进展情况的通报"
    assert "金湾" in hits[0].snippet


@pytest.mark.parametrize(
    "filters, expected",
    [
        (Filters(level="巡察"), [3]),
        (Filters(team="第十一巡视组"), [2]),
        (Filters(org="横琴"), [1]),
        (Filters(open_on="2024-10-01"), [1, 2]),
        (Filters(open_on="2024-12-01"), []),
        (Filters(source_id="src1"), [2]),
        (Filters(status="removed"), []),
    ],
)
def test_field_filters(store: Store, filters: Filters, expected: list[int]) -> None:
    assert ids(search(store.db, "", filters)) == expected


def test_index_follows_new_versions(store: Store) -> None:
    notice = store.find_notice("3").notice
    edited = notice.replace(body_text=notice.body_text.replace("中桥兴商业大厦", "政务服务大楼"), content_hash="changed")
    assert store.save_item(NoticeItem("src0", notice.url, edited, "2024-10-02T00:00:00+00:00", "raw2")) == "changed"
    assert ids(search(store.db, "政务服务大楼")) == [3]
    assert ids(search(store.db, "中桥兴商业大厦")) == []  # the old text is out of the index
    assert ids(search(store.db, "广东省委横琴工委")) == [1]  # other documents untouched


def test_rebuild_gives_the_same_answers(store: Store) -> None:
    before = [ids(search(store.db, q)) for q in ("横琴", "金湾", "巡察")]
    assert rebuild_index(store.db) == 3
    assert [ids(search(store.db, q)) for q in ("横琴", "金湾", "巡察")] == before


def test_match_expression_escapes_quotes() -> None:
    assert match_expression('横琴 "x') == '"横 琴" AND "x"'
    assert match_expression("   ") is None


def test_search_command(store: Store) -> None:
    out = run_cli("search", "横琴", "--db", store.path, "--json")
    assert out.returncode == 0, out.stderr
    assert out.stdout.count('"id"') == 2
    bad = run_cli("search", "--open-on", "yesterday", "--db", store.path)
    assert bad.returncode == 1 and "--open-on 'yesterday'" in bad.stderr
