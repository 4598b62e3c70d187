"""The crawl's store writer (monitor/store/writer.py): items written in arrival order, grouped in
transactions, one bad item skipped without undoing the others, everything written by close()."""

from __future__ import annotations

import logging
import os
import threading
from pathlib import Path

import pytest

from crawler.items import DetailFailure, ListingItem, NoticeItem
from crawler.parser import parse_html
from monitor.store import search
from monitor.store.db import Store
from monitor.store.writer import StoreWriter

NOW = "2026-11-20T08:00:00+00:00"


def item(n: int, body: str = "正文。") -> NoticeItem:
    url = f"http://127.0.0.1/a/content/post_{n}.html"
    notice = parse_html(f"<html><body><h1>关于第{n}轮巡察整改进展情况的通报</h1><p>{body}</p></body></html>", url)
    return NoticeItem("s", url, notice, NOW, f"{n:064x}", list_title=notice.title)


@pytest.fixture
def store(tmp_path: Path):
    store = Store(tmp_path / "w.db", check_same_thread=False)
    store.sync_source("s", "s", "nfcms", ["http://127.0.0.1/a/"])
    yield store
    store.close()


def test_everything_queued_is_written_in_order_with_outcomes(store: Store) -> None:
    outcomes: list[str] = []
    writer = StoreWriter(store, store.start_run("s"), outcomes.extend)
    try:
        for n in range(250):
            writer.put(item(n))
        writer.put(item(7, body="改过的正文。"))  # after its first version: a change
        writer.put(ListingItem("s", "http://127.0.0.1/a/", 1, ((item(8).url, "新标题", "2026-11-20"),)))
        writer.put(DetailFailure("s", item(9).url, "HTTP 404", "gone", NOW))
    finally:
        writer.close()
    assert outcomes == ["new"] * 250 + ["changed", "failing"]
    assert store.count("notices") == 250
    assert writer.errors == 0
    row = next(store.rows("select list_title, consecutive_failures from notices where url = ?", [item(8).url]))
    assert row["list_title"] == "新标题"
    assert next(store.rows("select consecutive_failures from notices where url = ?", [item(9).url]))[
        "consecutive_failures"] == 1
    assert [v.notice.body_text for v in store.versions(store.find_notice(item(7).url).id)] == ["正文。", "改过的正文。"]


def test_a_bad_item_is_logged_and_skipped_without_undoing_the_others(
    store: Store, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    real = store.save_item
    gate = threading.Event()

    def save(it: NoticeItem, run_id: int | None = None) -> str:
        gate.wait(5)  # let the queue fill, so the bad item shares a transaction with good ones
        if it.url.endswith("post_3.html"):
            store.db.conn.execute("insert into events (kind) values ('half-written')")
            raise RuntimeError("disk on fire")
        return real(it, run_id)

    monkeypatch.setattr(store, "save_item", save)
    outcomes: list[str] = []
    writer = StoreWriter(store, store.start_run("s"), outcomes.extend)
    with caplog.at_level(logging.ERROR, logger="monitor.store.writer"):
        try:
            for n in range(6):
                writer.put(item(n))
        finally:
            gate.set()
            writer.close()
    assert outcomes == ["new"] * 5
    assert writer.errors == 1
    assert sorted(r["url"][-11:] for r in store.rows("select url from notices")) == [
        f"post_{n}.html" for n in (0, 1, 2, 4, 5)]
    assert store.count("events") == 5  # the failed item's half-written row was rolled back
    assert "post_3.html" in caplog.text and "disk on fire" in caplog.text and caplog.text.count("could not store") == 1
    # Written again one savepoint each after the failure: the search index holds exactly the five kept.
    hits = search.search(store.db, "巡察整改", limit=50)
    assert sorted(h.url[-11:] for h in hits) == [f"post_{n}.html" for n in (0, 1, 2, 4, 5)]


def test_a_batch_is_one_search_index_segment_not_one_per_notice(store: Store) -> None:
    """No savepoint per item on the way (one makes FTS5 flush a segment of the index per notice)."""
    writer = StoreWriter(store, store.start_run("s"), lambda _: None, linger=1.0)
    try:
        for n in range(40):
            writer.put(item(n))
    finally:
        writer.close()
    segments = next(store.rows(f"select count(*) as n from {search.FTS_TABLE}_data"))["n"]
    assert store.count("notices") == 40 and len(search.search(store.db, "巡察", limit=100)) == 40
    assert segments < 10, segments


@pytest.mark.skipif(not hasattr(os, "SCHED_BATCH"), reason="SCHED_BATCH is Linux's")
def test_the_writer_thread_runs_as_batch_work_and_the_caller_does_not(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    """crawler/cpu.py: the writer's wake-ups must not preempt the crawl's reactor thread."""
    seen: list[int] = []
    real = store.save_item
    monkeypatch.setattr(store, "save_item", lambda *a: (seen.append(os.sched_getscheduler(0)), real(*a))[1])
    writer = StoreWriter(store, store.start_run("s"), lambda *_: None)
    try:
        writer.put(item(1))
    finally:
        writer.close()
    assert seen == [os.SCHED_BATCH]
    assert os.sched_getscheduler(0) != os.SCHED_BATCH
