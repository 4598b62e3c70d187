"""Change detection (pure) and how the store records it: versions, events, removals, moves."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from crawler.items import DetailFailure, NoticeItem
from crawler.parser import parse_html, parse_text
from monitor.changes import compare_notices, diff_text, identity_key
from monitor.store.db import Store
from tests.helpers import ROOT

SEED = (ROOT / "replica" / "seeds" / "000_f934f75b5d361e68.txt").read_text(encoding="utf-8")
TITLE = "中共广东省委横琴工委关于巡视整改进展情况的通报"


def page(body: str, counter: int = 1, chrome_date: str = "2024-09-26", title: str = TITLE) -> str:
    paragraphs = "".join(f"<p>\u3000\u3000{line}</p>" for line in body.splitlines() if line.strip())
    return (
        f'<html><head><meta name="ArticleTitle" content="{title}"><meta name="PubDate" content="2024-09-26 11:00">'
        f"</head><body><div class='nav'>首页 今天是{chrome_date}</div><h1>{title}</h1>"
        f"<div>来源:南粤清风网 日期:2024-09-26 11:00:00 【打印】 浏览次数:{counter}</div>"
        f"<div id='zoomcon'>{paragraphs}</div><div>扫一扫,分享到微信朋友圈</div></body></html>"
    )


BASE = parse_html(page(SEED), "http://127.0.0.1/x/content/post_1.html")

COSMETIC = {
    "view counter": page(SEED, counter=987),
    "date in the page chrome": page(SEED, chrome_date="2026-11-23"),
    "re-wrapped whitespace": page(SEED.replace("。", "。\n").replace(",", ", ")),
    "full-width punctuation": page(SEED.replace(",", "\uff0c").replace(":", "\uff1a").replace("0756", "\uff10\uff17\uff15\uff16")),
    "half-width punctuation": page(SEED.replace(",", ",").replace("(", "(").replace(")", ")")),
}


@pytest.mark.parametrize("name", sorted(COSMETIC))
def test_cosmetic_churn_is_no_change(name: str) -> None:
    assert compare_notices(BASE, parse_html(COSMETIC[name], BASE.url)) is None


def test_field_and_body_change_are_described() -> None:
    edited = parse_html(page(SEED.replace("10月25日", "11月8日").replace("0756-8938790", "0756-1234567")), BASE.url)
    change = compare_notices(BASE, edited)
    assert change is not None
    assert [c.describe() for c in change.fields] == [
        "disclosure_end 2024-10-25 → 2024-11-08",
        "phones +0756-1234567 −0756-8938790",
    ]
    assert "[-0月25-]{+1月8+}" in change.body.render()
    assert change.summary() == "disclosure_end 2024-10-25 → 2024-11-08; phones +0756-1234567 −0756-8938790"


def test_body_only_edit_has_a_diff_and_no_field_changes() -> None:
    edited = parse_html(page(SEED.replace("挂图作战", "挂图作战、逐项销号")), BASE.url)
    change = compare_notices(BASE, edited)
    assert change is not None and change.fields == ()
    assert change.summary() == "body text edited"
    assert [text for op, text in change.body.ops if op != 0] in (["、逐项销号"], ["逐项销号、"])
    assert "逐项销号" in change.body.render()


def test_title_change_is_a_change() -> None:
    retitled = parse_html(page(SEED, title=TITLE + "(更新)"), BASE.url)
    change = compare_notices(BASE, retitled)
    assert change is not None and [c.field for c in change.fields] == ["title"]


def test_diff_is_character_level() -> None:
    ops = diff_text("公开期限:2024年9月26日至10月25日。", "公开期限:2024年9月26日至11月8日。").ops
    assert (-1, "0月25") in ops and (1, "1月8") in ops


def test_identity_needs_a_title_and_a_date() -> None:
    assert identity_key(BASE) is not None
    assert identity_key(parse_text("没有标题也没有日期的一段文字。")) is None


def item(notice, url: str = "http://127.0.0.1/x/content/post_1.html", when: str = "2024-09-27T00:00:00+00:00"):
    return NoticeItem("src", url, notice.replace(url=url), when, "raw")


@pytest.fixture
def store(tmp_path: Path):
    with Store(tmp_path / "s.db", removal_after=3) as s:
        yield s


def failure(url: str = "http://127.0.0.1/x/content/post_1.html", kind: str = "gone") -> DetailFailure:
    return DetailFailure("src", url, "HTTP 404", kind, "2024-10-01T00:00:00+00:00")


def kinds(store: Store) -> list[str]:
    return [e.kind for e in store.events()]


def test_store_versions_and_events(store: Store) -> None:
    assert store.save_item(item(BASE)) == "new"
    assert store.save_item(item(parse_html(COSMETIC["view counter"], BASE.url))) == "unchanged"
    edited = parse_html(page(SEED.replace("10月25日", "11月8日")), BASE.url)
    assert store.save_item(item(edited)) == "changed"
    assert store.count("notice_versions") == 2
    [new, changed] = store.events()
    assert (new.kind, changed.kind) == ("new", "changed")
    assert changed.changes == ({"field": "disclosure_end", "old": "2024-10-25", "new": "2024-11-08"},)
    assert "{+1月8+}" in changed.diff
    versions = store.versions(1)
    assert [v.notice.disclosure_end for v in versions] == ["2024-10-25", "2024-11-08"]


def test_removal_after_n_failures_while_the_window_is_open(store: Store) -> None:
    store.save_item(item(BASE))
    today = date(2024, 10, 1)  # inside 2024-09-26 … 2024-10-25
    assert store.record_failure(failure(), today=today) == "failing"
    assert store.record_failure(failure(), today=today) == "failing"
    assert store.record_failure(failure(), today=today) == "removed"
    assert store.record_failure(failure(), today=today) == "still_removed"
    removed = store.events()[-1]
    assert removed.kind == "removed" and removed.window_open
    assert "while its disclosure window was open (until 2024-10-25)" in removed.summary
    assert store.save_item(item(BASE)) == "restored"
    assert kinds(store) == ["new", "removed", "restored"]
    assert store.find_notice("1").status == "active"


def test_a_success_resets_the_failure_count(store: Store) -> None:
    store.save_item(item(BASE))
    store.record_failure(failure(), today=date(2025, 1, 1))
    store.record_failure(failure(), today=date(2025, 1, 1))
    store.save_item(item(BASE))
    assert store.record_failure(failure(), today=date(2025, 1, 1)) == "failing"
    assert kinds(store) == ["new"]


def test_removal_after_the_window_is_not_flagged(store: Store) -> None:
    store.save_item(item(BASE))
    for _ in range(3):
        store.record_failure(failure(), today=date(2025, 1, 1))
    assert not store.events()[-1].window_open


def test_a_notice_at_a_new_url_is_one_move(store: Store) -> None:
    store.save_item(item(BASE))
    new_url = "http://127.0.0.1/x/content/post_2.html"
    assert store.save_item(item(BASE, url=new_url)) == "moved"
    assert kinds(store) == ["new", "moved"]
    assert store.count("notices") == 1
    assert store.find_notice(new_url).id == 1
    assert json.loads(next(store.rows("select changes from events where kind = 'moved'"))["changes"]) == [
        {"field": "url", "old": "http://127.0.0.1/x/content/post_1.html", "new": new_url}
    ]


def test_unknown_urls_are_ignored_by_failure_and_304(store: Store) -> None:
    assert store.record_failure(failure("http://127.0.0.1/nope")) == "unknown"
    assert store.mark_not_modified("http://127.0.0.1/nope") == "unknown"
    assert store.count("events") == 0


def test_server_errors_never_lead_to_removal(store: Store) -> None:
    store.save_item(item(BASE))
    for _ in range(5):
        assert store.record_failure(failure(kind="error"), today=date(2025, 1, 1)) == "error"
    assert kinds(store) == ["new"]
    assert store.find_notice("1").consecutive_failures == 0


def test_full_sweep_is_due_first_and_then_weekly(store: Store) -> None:
    from datetime import datetime, timedelta

    week = 7 * 86400
    assert store.full_sweep_due("src", week)  # never crawled: the first crawl reads everything
    run = store.start_run("src", mode="full")
    store.finish_run(run, "completed", 3, [], {})
    started = datetime.fromisoformat(store.run(run)["started_at"])
    assert not store.full_sweep_due("src", week, now=started + timedelta(days=6))
    assert store.full_sweep_due("src", week, now=started + timedelta(days=7, seconds=1))
    incremental = store.start_run("src", mode="incremental")
    store.finish_run(incremental, "completed", 1, [], {})
    assert store.full_sweep_due("src", week, now=started + timedelta(days=8))  # only full runs count
